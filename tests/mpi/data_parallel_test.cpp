// Data-parallel training under `mpirun -np 2` (tests/CMakeLists.txt runs each mode):
//   equivalence  both ranks train the batch-4 data-parallel steps on their
//                shards; rank 0 also trains the batch-8 one-process twins on
//                the combined batches: parameters must agree to float32
//                noise, and be identical on both ranks; a rank that trains
//                alone (no all-reduce) must not agree. Checkpoints: rank 0's only.
//   stall        rank 1 stops calling the step: rank 0's step fails after
//                LOOM_DP_TIMEOUT with a message saying so.
//   die          rank 1 exits in the middle of training: the run ends (mpirun
//                ends rank 0), it does not hang.
//   no-session   a data-parallel step without an MpiSession under mpirun: an Error.
//   nccl         equivalence over NCCL (GPUs), or the reason NCCL cannot run.
#include "dp_twins.h"

#include <loom/rt/mpi.hpp>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

namespace {

/// 64 images of 8 x 8 with a label each, the same on every rank.
loom::rt::Dataset synthetic() {
  loom::rt::Dataset d;
  d.n = 64, d.c = 1, d.h = 8, d.w = 8;
  for (long i = 0; i < d.n; ++i) {
    d.labels.push_back((i * 7) % 10);
    for (long p = 0; p < 64; ++p) d.images.push_back(0.5f + 0.5f * std::sin(0.37f * float(i) + 0.11f * float(p * (i % 10 + 1))));
  }
  return d;
}

/// A run of one process (the data-parallel step's all-reduce does nothing).
struct Solo final : loom::rt::Communicator {
  int rank() const override { return 0; }
  int size() const override { return 1; }
  std::string name() const override { return "solo"; }
  void all_reduce_sum(float *, std::size_t, double) override {}
  void broadcast(void *, std::size_t, int, double) override {}
  [[noreturn]] void abort(int code) override { std::_Exit(code); }
};

/// The largest |a - b| / max(1, |b|) over every parameter.
double difference(dp_twins::Model &a, dp_twins::Model &b) {
  double worst = 0;
  for (std::size_t i = 0; i < a.params().size(); ++i) {
    const float *x = a.params().data<float>(i), *y = b.params().data<float>(i);
    for (long k = 0; k < a.params().numel(i); ++k)
      worst = std::max(worst, std::abs(double(x[k]) - y[k]) / std::max(1.0, std::abs(double(y[k]))));
  }
  return worst;
}

constexpr int kEpochs = 3;

/// Trains `model` with `step` (batch B) for kEpochs on `shard` of `data`.
template <long B, class Step>
void train(const loom::rt::Dataset &data, loom::rt::Shard shard, Step &&step, int stop_at = -1) {
  loom::rt::Batcher batches(data, B, /*seed=*/5, true, shard);
  std::vector<float> x(B * 64);
  std::vector<int64_t> y(B);
  int done = 0;
  for (int e = 0; e < kEpochs; ++e)
    for (long k = 0; k < batches.batches_per_epoch(); ++k, ++done) {
      if (done == stop_at) return;
      batches.fill(e, k, x.data(), y.data());
      step(x, y);
    }
}

int equivalence(loom::rt::MpiSession &mpi) {
  const loom::rt::Dataset data = synthetic();
  const int r = mpi.rank();
  int failures = 0;
  auto check = [&](bool ok, const std::string &what) {
    std::printf("rank %d: %s: %s\n", r, ok ? "ok" : "FAILED", what.c_str());
    failures += !ok;
  };
  struct Case {
    const char *name;
    float lr;
    float (dp_twins::Model::*dp)(loom::rt::Arg<const float, 4, 1, 8, 8>, loom::rt::Arg<const int64_t, 4>, float);
    float (dp_twins::Model::*one)(loom::rt::Arg<const float, 8, 1, 8, 8>, loom::rt::Arg<const int64_t, 8>, float);
  };
  for (Case c : {Case{"SGD momentum", 0.05f, &dp_twins::Model::momentum_dp, &dp_twins::Model::momentum_one},
                 Case{"Adam", 0.01f, &dp_twins::Model::adam_dp, &dp_twins::Model::adam_one}}) {
    dp_twins::Model dp(/*seed=*/r == 0 ? 7 : 8); // different on purpose: synchronize makes them rank 0's
    loom::rt::synchronize(dp.params(), dp.optimizer_state(), dp.log());
    train<4>(data, loom::rt::this_shard(), [&](std::vector<float> &x, std::vector<int64_t> &y) { (dp.*c.dp)(x, y, c.lr); });
    // Bit-identical on every rank (the same sums reach every rank).
    bool identical = true;
    try {
      loom::rt::check_identical(dp.params(), dp.optimizer_state());
    } catch (const loom::rt::Error &e) {
      identical = false;
      std::printf("rank %d: %s\n", r, e.what());
    }
    check(identical, std::string(c.name) + ": parameters identical on both ranks");
    if (r != 0) continue;
    dp_twins::Model one(7);
    train<8>(data, {}, [&](std::vector<float> &x, std::vector<int64_t> &y) { (one.*c.one)(x, y, c.lr); });
    double d = difference(dp, one);
    char what[160];
    std::snprintf(what, sizeof what, "%s: 2 ranks x batch 4 against 1 process x batch 8: max relative difference %.2e (<= 1e-5)",
                  c.name, d);
    check(d <= 1e-5, what);
    // Without the all-reduce (rank 0 alone on its shard) it must not agree:
    // the comparison above can fail.
    dp_twins::Model alone(7);
    Solo solo;
    loom::rt::set_communicator(&solo);
    train<4>(data, {0, 2}, [&](std::vector<float> &x, std::vector<int64_t> &y) { (alone.*c.dp)(x, y, c.lr); });
    loom::rt::set_communicator(&mpi.communicator());
    double a = difference(alone, one);
    std::snprintf(what, sizeof what, "%s: rank 0 alone on its shard differs by %.2e (> 1e-3)", c.name, a);
    check(a > 1e-3, what);
  }
  // Checkpoints: rank 0 writes, rank 1 does not.
  dp_twins::Model m(7);
  const std::string path = "data_parallel_rank" + std::to_string(r) + ".safetensors";
  std::filesystem::remove(path);
  m.save(path);
  check(std::filesystem::exists(path) == (r == 0), r == 0 ? "rank 0 wrote its checkpoint" : "rank 1 wrote no checkpoint");
  return failures == 0 ? 0 : 1;
}

/// Rank 1 stops (stall: sleeps past rank 0's timeout; die: exits) after `stop_at` steps.
int stop(loom::rt::MpiSession &mpi, bool die) {
  const loom::rt::Dataset data = synthetic();
  dp_twins::Model dp(7);
  const int stop_at = mpi.rank() == 1 ? 3 : -1;
  train<4>(data, loom::rt::this_shard(), [&](std::vector<float> &x, std::vector<int64_t> &y) { dp.momentum_dp(x, y, 0.05f); }, stop_at);
  if (mpi.rank() == 1) {
    if (die) {
      std::fprintf(stderr, "rank 1: exiting in the middle of training\n");
      _exit(9);
    }
    std::this_thread::sleep_for(std::chrono::seconds(60));
  }
  return 0;
}

} // namespace

int main(int argc, char **argv) {
  const std::string mode = argc > 1 ? argv[1] : "";
  // Outside the try: an error is printed before the session ends (and, after
  // a failed collective, aborts the run).
  std::optional<loom::rt::MpiSession> session;
  try {
    if (mode == "no-session") {
      dp_twins::Model dp(7);
      std::vector<float> x(4 * 64);
      std::vector<int64_t> y(4);
      dp.momentum_dp(x, y, 0.1f);
      std::printf("no error\n");
      return 1;
    }
    loom::rt::MpiSession &mpi = session.emplace(argc, argv);
    if (mpi.size() != 2) {
      std::fprintf(stderr, "data_parallel_test: run with mpirun -np 2 (got %d processes)\n", mpi.size());
      return 2;
    }
    if (mode == "equivalence") return equivalence(mpi);
    if (mode == "nccl") { // the same over NCCL where there are GPUs; else the reason there is none
      try {
        mpi.use_nccl();
      } catch (const loom::rt::Error &e) {
        std::printf("rank %d: NCCL unavailable: %s\n", mpi.rank(), e.what());
        return 0;
      }
      return equivalence(mpi);
    }
    if (mode == "stall" || mode == "die") return stop(mpi, mode == "die");
    std::fprintf(stderr, "data_parallel_test: unknown mode '%s' (equivalence, nccl, stall, die, no-session)\n", mode.c_str());
    return 2;
  } catch (const std::exception &e) {
    std::fprintf(stderr, "data_parallel_test: error: %s\n", e.what());
    return 1;
  }
}
