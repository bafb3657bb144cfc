// The memory plan the compiler writes into each header (by category, per
// optimizer) against what a train step really uses: the runtime's own host
// allocations and the process's resident set; budgets checked before a call.
#include "memory_adam.h"
#include "memory_momentum.h"
#include "memory_sgd.h"

#include <doctest/doctest.h>

#include <cmath>
#include <string>

namespace {

template <class Specs> void paramBytes(const Specs &specs, std::size_t count, uint64_t &all, uint64_t &trainable) {
  all = trainable = 0;
  for (std::size_t i = 0; i < count; ++i) {
    uint64_t n = 4;
    for (long d : specs[i].shape) n *= d;
    all += n;
    if (std::string(specs[i].name).find("running_") == std::string::npos) trainable += n;
  }
}

loom::rt::Array<float, 128, 3, 32, 32> images() {
  loom::rt::Array<float, 128, 3, 32, 32> x;
  for (long i = 0; i < x.numel; ++i) x[i] = float((i * 7919) % 1000) / 1000.0f - 0.5f;
  return x;
}
loom::rt::Array<int64_t, 128> labels() {
  loom::rt::Array<int64_t, 128> y;
  for (long i = 0; i < 128; ++i) y[i] = i % 10;
  return y;
}

/// One train step in a fresh Model: the runtime's host allocations and the
/// process's peak resident set it added, against the plan's total.
template <class Model> void measure(const char *what) {
  const loom::rt::MemoryPlan &plan = Model::memory_plan("train");
  loom::rt::reset_peak_memory();
  auto before = loom::rt::memory_usage();
  {
    auto x = images();
    auto y = labels();
    Model model(1, loom::rt::Device::cpu);
    float loss = model.train(x, y, 0.01f);
    CHECK(std::isfinite(loss));
    auto after = loom::rt::memory_usage();
    double host = double(after.host_bytes - before.host_bytes), planned = double(plan.total());
    MESSAGE(std::string(what) << ": plan " << loom::rt::format_bytes(plan.total()) << ", runtime allocations "
                 << loom::rt::format_bytes(uint64_t(host)) << ", peak RSS added "
                 << loom::rt::format_bytes(after.peak_rss_bytes - before.rss_bytes));
    CHECK(std::fabs(host - planned) <= 0.05 * planned);
    if (before.peak_rss_bytes > before.rss_bytes + (1 << 20)) {
      MESSAGE("the process's peak RSS cannot be reset here (/proc/self/clear_refs): RSS not compared");
    } else {
      double rss = double(after.peak_rss_bytes) - double(before.rss_bytes);
      CHECK(std::fabs(rss - planned) <= 0.05 * planned);
    }
  }
  CHECK(loom::rt::memory_usage().host_bytes == before.host_bytes); // all of it freed with the Model
}

} // namespace

TEST_CASE("measured: a train step's allocations and peak RSS are its plan within 5%, for SGD, momentum and Adam") {
  measure<memory_sgd::Model>("sgd");
  measure<memory_momentum::Model>("sgd momentum");
  measure<memory_adam::Model>("adam");
}

TEST_CASE("the plan by category: parameters, gradients, optimizer state (none, one, two per parameter), activations") {
  uint64_t all = 0, trainable = 0;
  paramBytes(memory_sgd::param_specs, memory_sgd::param_count, all, trainable);
  const auto &sgd = memory_sgd::Model::memory_plan("train"), &momentum = memory_momentum::Model::memory_plan("train"),
             &adam = memory_adam::Model::memory_plan("train");
  for (const loom::rt::MemoryPlan *p : {&sgd, &momentum, &adam}) {
    INFO(p->optimizer);
    CHECK(std::string(p->name) == "train");
    CHECK(p->parameters == all);       // BN's running statistics too
    CHECK(p->gradients == trainable);  // not theirs
    CHECK(p->activations > 128ull * 32 * 32 * 32 * 4); // at least c1's output, which bn1's gradient reads
    CHECK(p->activations <= p->temporaries);
    // x, labels, the loss and the step's scalars (lr, step, seed).
    uint64_t io = 128ull * 3 * 32 * 32 * 4 + 128 * 8;
    CHECK(p->inputs_outputs >= io);
    CHECK(p->inputs_outputs <= io + 64);
    CHECK(p->total() == p->parameters + p->optimizer_state + p->temporaries + p->inputs_outputs);
  }
  CHECK(std::string(sgd.optimizer) == "sgd");
  CHECK(std::string(momentum.optimizer) == "sgd momentum");
  CHECK(std::string(adam.optimizer) == "adam");
  CHECK(sgd.optimizer_state == 0);
  CHECK(momentum.optimizer_state == trainable);
  CHECK(adam.optimizer_state == 2 * trainable);
  CHECK(adam.total() > momentum.total());
  CHECK(momentum.total() > sgd.total());
  std::string table = loom::rt::format(memory_adam::Model::memory_plan());
  CHECK(table.find("train (adam)") != std::string::npos);
  CHECK(table.find("optimizer state") != std::string::npos);
}

TEST_CASE("a memory budget: a call that would not fit fails before it runs, naming the plan's categories") {
  memory_adam::Model model(1, loom::rt::Device::cpu);
  auto x = images();
  auto y = labels();
  const auto &plan = memory_adam::Model::memory_plan("train");
  model.set_memory_budget(plan.total() - 1);
  std::string message;
  try {
    model.train(x, y, 0.01f);
  } catch (const loom::rt::Error &e) {
    message = e.what();
  }
  CHECK(message.find("memory_adam.train needs " + loom::rt::format_bytes(plan.total()) + " (parameters ") == 0);
  CHECK(message.find("optimizer state " + loom::rt::format_bytes(plan.optimizer_state)) != std::string::npos);
  CHECK(message.find("more than the memory budget of " + loom::rt::format_bytes(plan.total() - 1)) != std::string::npos);
  CHECK(model.log().steps("train") == 0); // nothing ran
  model.set_memory_budget(plan.total());
  CHECK(std::isfinite(model.train(x, y, 0.01f)));
}

TEST_CASE("sizes as people write them, and back") {
  CHECK(loom::rt::parse_bytes("15GB") == 15000000000ull);
  CHECK(loom::rt::parse_bytes("15360 MB") == 15360000000ull);
  CHECK(loom::rt::parse_bytes("1.5GiB") == 1610612736ull);
  CHECK(loom::rt::parse_bytes("4096") == 4096);
  CHECK(loom::rt::parse_bytes("2kb") == 2000);
  CHECK_THROWS_WITH(loom::rt::parse_bytes("15XB", "--memory-budget"),
                    "--memory-budget '15XB': expected a size such as 15GB, 15360MB, 1.5GiB or a number of bytes");
  CHECK_THROWS(loom::rt::parse_bytes("GB"));
  CHECK_THROWS(loom::rt::parse_bytes("1.2.3GB"));
  CHECK(loom::rt::format_bytes(812) == "812 B");
  CHECK(loom::rt::format_bytes(44'700'000) == "44.7 MB");
  CHECK(loom::rt::format_bytes(1'350'000'000) == "1.35 GB");
}
