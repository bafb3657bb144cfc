// E5: torchvision's ResNet-152 and the memory of training, planned before
// running and measured.
//   a. ResNet-152 (10 classes): trainable parameters, their size, and the
//      memory the runtime (and on a GPU the device) holds once it is loaded.
//   b. One train step with SGD, SGD momentum 0.9 and Adam: the compiler's plan
//      by category and the measured peak, in a fresh model each.
//   c. ResNet-18 at batch 4, 16, 64, 256: memory per batch (plan, measured),
//      whether each fits the budget, the largest batch that would, accuracy
//      after a fixed number of epochs, wall time, and accuracy against time.
// The homework ran 224x224 images on a T4; on a CPU the inputs are scaled
// down (ResNet-152 at 64x64, batch 8; the sweep on Fashion-MNIST at 32x32, a
// subset), which the report says. --memory-budget (default: the T4's 15360 MB)
// is checked against each plan before anything runs.
#include "resnet152_adam.h"
#include "resnet152_momentum.h"
#include "resnet152_sgd.h"
#include "resnet18_sweep.h"

#include "../common/accuracy.hpp"
#include "../common/args.hpp"
#include "../common/report.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

namespace {

using loom::rt::format_bytes;

using examples::line;
std::string mb(uint64_t bytes) {
  char b[32];
  std::snprintf(b, sizeof b, "%.0f MB", bytes / 1e6);
  return b;
}

/// What a fresh model and its first call added: the runtime's allocations
/// and the process's peak resident set (and on a GPU loom's device allocator).
struct Measured {
  uint64_t host = 0, rss = 0, device = 0;
};
struct Meter {
  loom::rt::MemoryUsage before;
  std::size_t device_before = 0;
  Meter() {
    loom::rt::reset_peak_memory();
    if (loom::rt::default_device() == loom::rt::Device::cuda) {
      loom::rt::cuda::reset_peak();
      device_before = loom::rt::cuda::memory_stats().allocated;
    }
    before = loom::rt::memory_usage();
  }
  Measured now() const {
    auto u = loom::rt::memory_usage();
    Measured m{u.host_bytes - before.host_bytes, u.peak_rss_bytes > before.rss_bytes ? u.peak_rss_bytes - before.rss_bytes : 0};
    if (loom::rt::default_device() == loom::rt::Device::cuda) m.device = loom::rt::cuda::memory_stats().peak - device_before;
    return m;
  }
};

template <std::size_t N> uint64_t trainable(const loom::rt::ParamSpec (&specs)[N], std::size_t count, long *params = nullptr) {
  uint64_t bytes = 0;
  long n = 0;
  for (std::size_t i = 0; i < count; ++i) {
    if (std::string(specs[i].name).find("running_") != std::string::npos) continue;
    long k = 1;
    for (long d : specs[i].shape) k *= d;
    n += k, bytes += 4 * k;
  }
  if (params) *params = n;
  return bytes;
}

// ---- b. one train step per optimizer ----------------------------------------------------

struct StepRow {
  loom::rt::MemoryPlan plan;
  Measured measured;
  bool fits;
};

template <class Model> StepRow step152(uint64_t budget) {
  StepRow r{Model::memory_plan("train"), {}, budget == 0 || Model::memory_plan("train").total() <= budget};
  if (!r.fits) return r; // said before anything runs
  Meter meter;
  {
    loom::rt::Array<float, 8, 3, 64, 64> x;
    loom::rt::Array<int64_t, 8> y;
    for (long i = 0; i < x.numel; ++i) x[i] = float((i * 7919) % 1000) / 1000.0f - 0.5f;
    for (long i = 0; i < 8; ++i) y[i] = i % 10;
    Model model(1);
    model.set_memory_budget(budget);
    (void)model.train(x, y, 0.01f);
    r.measured = meter.now();
  }
  return r;
}

// ---- c. the batch-size sweep --------------------------------------------------------------

/// Fashion-MNIST's 28x28 gray images as torchvision's ResNet takes them:
/// 3 channels (the gray one repeated), padded to 32x32, normalised.
loom::rt::Dataset as_rgb32(const loom::rt::Dataset &d) {
  loom::rt::Dataset r;
  r.n = d.n, r.c = 3, r.h = 32, r.w = 32;
  r.labels = d.labels;
  r.images.assign(r.n * 3 * 32 * 32, (0.0f - 0.2860f) / 0.3530f);
  for (long i = 0; i < d.n; ++i)
    for (long c = 0; c < 3; ++c)
      for (long y = 0; y < 28; ++y)
        for (long x = 0; x < 28; ++x)
          r.images[((i * 3 + c) * 32 + y + 2) * 32 + x + 2] = (d.image(i)[y * 28 + x] - 0.2860f) / 0.3530f;
  return r;
}

double accuracy(resnet18_sweep::Model &m, const loom::rt::Dataset &test) {
  return examples::accuracy<250, 10>(test, [&](const float *x, float *logits) {
    m.predict(loom::rt::View<const float, 250, 3, 32, 32>(x), loom::rt::View<float, 250, 10>(logits));
  });
}

struct SweepRow {
  long batch;
  loom::rt::MemoryPlan plan;
  bool fits;
  Measured measured;
  double accuracy = 0, seconds = 0;
  loom::rt::Series curve;
};

/// Trains a fresh ResNet-18 at batch B for `epochs` over `train`; the
/// accuracy on `test` after each epoch against training time.
template <long B, class Step>
SweepRow sweep(Step step, const loom::rt::Dataset &train, const loom::rt::Dataset &test, int epochs, uint64_t budget,
               float lr) {
  const loom::rt::MemoryPlan &plan = resnet18_sweep::Model::memory_plan("train_" + std::to_string(B));
  SweepRow r{B, plan, budget == 0 || plan.total() <= budget, {}};
  r.curve.label = "batch " + std::to_string(B);
  if (!r.fits) return r;
  Meter meter;
  resnet18_sweep::Model model(7);
  model.set_memory_budget(budget);
  loom::rt::Batcher batches(train, B, 11);
  loom::rt::Array<float, B, 3, 32, 32> x;
  loom::rt::Array<int64_t, B> y;
  loom::rt::Progress progress("ResNet-18, batch " + std::to_string(B), epochs * batches.batches_per_epoch(), B);
  double seconds = 0;
  r.curve.x.push_back(0), r.curve.y.push_back(0.1); // chance, before training
  for (int e = 0; e < epochs; ++e) {
    auto t0 = std::chrono::steady_clock::now();
    for (long b = 0; b < batches.batches_per_epoch(); ++b) {
      batches.fill(e, b, x.data(), y.data());
      float loss = step(model, x, y, lr);
      if (e == 0 && b == 0) r.measured = meter.now(); // the step's own peak, before any evaluation
      progress.step(e + 1, epochs, loss);
    }
    seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    r.accuracy = accuracy(model, test);
    r.curve.x.push_back(seconds), r.curve.y.push_back(r.accuracy);
  }
  progress.done();
  r.seconds = seconds;
  return r;
}

} // namespace

int main(int argc, char **argv) {
  auto args = examples::parse_args(
      argc, argv, "resnet_e5", "E5: torchvision's ResNet-152 and the memory of training, planned and measured.",
      "out/resnet", "every training image, 10 epochs (default 2048 images, 2 epochs)",
      {{"memory-budget", "15360MB", "device memory each plan is checked against (e.g. 15GB)"},
       {"data", "/usr/share/datasets/fashion-mnist", "Fashion-MNIST's directory"},
       {"images", "", "training images of the batch-size sweep"},
       {"epochs", "", "epochs of the batch-size sweep"}});
  const uint64_t budget = loom::rt::parse_bytes(args["memory-budget"], "--memory-budget");
  auto count = [&](const char *name, long fallback) {
    const std::string &v = args[name];
    if (v.empty()) return fallback;
    char *end = nullptr;
    long n = std::strtol(v.c_str(), &end, 10);
    if (*end || n < 1) throw loom::rt::Error(std::string("--") + name + " '" + v + "': expected a positive number");
    return n;
  };
  // About 3 minutes on two cores by default (batch 4 alone is half of it: small
  // batches are overhead-bound); --full: every image, 10 epochs.
  const long images = count("images", args.full ? 60000 : 2048);
  const int epochs = int(count("epochs", args.full ? 10 : 2));
  if (loom::rt::default_device() == loom::rt::Device::cuda && !resnet152_sgd::has_cuda) {
    std::fprintf(stderr, "resnet_e5: its models are built for the CPU only (the CUDA pipeline does not yet compile "
                         "ResNet-152 in reasonable time): running on the CPU\n");
    loom::rt::set_default_device(loom::rt::Device::cpu);
  }
  const bool gpu = loom::rt::default_device() == loom::rt::Device::cuda;
  char b[512];

  line("# E5: ResNet-152 and the memory of training");
  line("");
  std::snprintf(b, sizeof b, "Memory budget: %s (--memory-budget; the homework's T4 had 15360 MB); models on the %s.",
                format_bytes(budget).c_str(), gpu ? "GPU" : "CPU");
  line(b);
  line("");

  // a. ResNet-152 loaded.
  {
    long n = 0;
    uint64_t bytes = trainable(resnet152_sgd::param_specs, resnet152_sgd::param_count, &n);
    Meter meter;
    resnet152_sgd::Model model(1);
    Measured loaded = meter.now();
    line("## a. torchvision's ResNet-152, 10 classes");
    line("");
    std::snprintf(b, sizeof b, "Trainable parameters: %ld (%s as float32; with batch norm's running statistics %s).", n,
                  format_bytes(bytes).c_str(), format_bytes(resnet152_sgd::Model::memory_plan("train").parameters).c_str());
    line(b);
    std::snprintf(b, sizeof b, "Once loaded, the runtime holds %s (its own allocations); the process's resident set grew by %s.",
                  mb(loaded.host).c_str(), mb(loaded.rss).c_str());
    line(b);
    if (gpu) {
      auto s = loom::rt::cuda::memory_stats();
      std::snprintf(b, sizeof b, "On the GPU: loom's allocator holds %s; the driver reports %s of %s in use (the CUDA context's own share is the difference).",
                    mb(s.allocated).c_str(), mb(s.device_total - s.device_free).c_str(), mb(s.device_total).c_str());
      line(b);
    }
    line("");
  }

  // b. One step per optimizer.
  line("## b. One train step of ResNet-152 (batch 8, 64x64 inputs: scaled down from the homework's 224x224)");
  line("");
  line("| optimizer | parameters | gradients | optimizer state | activations for backward | temporaries (arena) | inputs, outputs | plan total | measured: runtime allocations | measured: peak RSS added |");
  line("|---|---|---|---|---|---|---|---|---|---|");
  StepRow rows[] = {step152<resnet152_sgd::Model>(budget), step152<resnet152_momentum::Model>(budget),
                    step152<resnet152_adam::Model>(budget)};
  for (const StepRow &r : rows) {
    const auto &p = r.plan;
    std::snprintf(b, sizeof b, "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |", p.optimizer, mb(p.parameters).c_str(),
                  mb(p.gradients).c_str(), mb(p.optimizer_state).c_str(), mb(p.activations).c_str(),
                  mb(p.temporaries).c_str(), mb(p.inputs_outputs).c_str(), mb(p.total()).c_str(),
                  r.fits ? mb(r.measured.host).c_str() : "does not fit the budget",
                  r.fits ? mb(r.measured.rss).c_str() : "-");
    line(b);
  }
  line("");
  const bool ordered = rows[2].plan.total() > rows[1].plan.total() && rows[1].plan.total() > rows[0].plan.total();
  std::snprintf(b, sizeof b,
                "Adam %s momentum %s SGD: SGD keeps no state, momentum one buffer per parameter (%s), Adam two "
                "(exp_avg and exp_avg_sq, %s). Gradients and the activations the backward pass reads live in the "
                "step's arena while they are needed; the plan is the compiler's, before anything runs.",
                ordered ? ">" : "is not >", ordered ? ">" : "?", mb(rows[1].plan.optimizer_state).c_str(),
                mb(rows[2].plan.optimizer_state).c_str());
  line(b);
  line("");

  // c. The batch-size sweep.
  loom::rt::Dataset train, test;
  try {
    train = as_rgb32(loom::rt::load_fashion_mnist("train", args["data"]).head(images));
    test = as_rgb32(loom::rt::load_fashion_mnist("test", args["data"]).head(2000));
  } catch (const loom::rt::Error &e) {
    std::fprintf(stderr, "resnet_e5: %s\n(install Debian's dataset-fashion-mnist, or give --data DIR)\n", e.what());
    return 1;
  }
  std::snprintf(b, sizeof b, "## c. ResNet-18 by batch size (Fashion-MNIST at 32x32, %ld training images, %d epochs, plain SGD lr = 0.05 sqrt(batch/64); test accuracy on %ld images)",
                train.n, epochs, test.n);
  line(b);
  line("");
  auto step = [](resnet18_sweep::Model &m, auto &x, auto &y, float lr) {
    constexpr long B = std::remove_reference_t<decltype(y)>::numel;
    if constexpr (B == 4) return m.train_4(x, y, lr);
    else if constexpr (B == 16) return m.train_16(x, y, lr);
    else if constexpr (B == 64) return m.train_64(x, y, lr);
    else return m.train_256(x, y, lr);
  };
  auto lr = [](long batch) { return 0.05f * std::sqrt(float(batch) / 64.0f); }; // square-root scaling
  std::vector<SweepRow> sweep_rows;
  sweep_rows.push_back(sweep<4>(step, train, test, epochs, budget, lr(4)));
  sweep_rows.push_back(sweep<16>(step, train, test, epochs, budget, lr(16)));
  sweep_rows.push_back(sweep<64>(step, train, test, epochs, budget, lr(64)));
  sweep_rows.push_back(sweep<256>(step, train, test, epochs, budget, lr(256)));
  line("| batch | plan total | fits the budget | measured: runtime allocations | measured: peak RSS added | test accuracy | training time |");
  line("|---|---|---|---|---|---|---|");
  loom::rt::Plot plot{"ResNet-18 on Fashion-MNIST (32x32): accuracy against training time", "training time (s)",
                      "test accuracy"};
  for (const SweepRow &r : sweep_rows) {
    if (r.fits)
      std::snprintf(b, sizeof b, "| %ld | %s | yes | %s | %s | %.1f%% | %.1f s |", r.batch, mb(r.plan.total()).c_str(),
                    mb(r.measured.host).c_str(), mb(r.measured.rss).c_str(), 100 * r.accuracy, r.seconds);
    else
      std::snprintf(b, sizeof b, "| %ld | %s | no (not run) | - | - | - | - |", r.batch, mb(r.plan.total()).c_str());
    line(b);
    if (r.fits) plot.add(r.curve);
  }
  line("");
  // The plan grows linearly with the batch (parameters fixed, activations and
  // temporaries per image): the largest batch that fits, from 64's and 256's.
  const double t64 = double(sweep_rows[2].plan.total()), t256 = double(sweep_rows[3].plan.total());
  const double per_image = (t256 - t64) / 192.0, fixed = t64 - 64 * per_image;
  const long largest = per_image > 0 ? long(std::floor((double(budget) - fixed) / per_image)) : 0;
  std::snprintf(b, sizeof b,
                "Largest batch that fits %s, from the plans (%s fixed + %s per image): %ld. loom compiles each batch size "
                "ahead of time, so this is said before anything runs, not found by running out of memory.",
                format_bytes(budget).c_str(), mb(uint64_t(std::max(0.0, fixed))).c_str(),
                format_bytes(uint64_t(per_image)).c_str(), std::max(0l, largest));
  line(b);
  line("");
  plot.save_svg(args.out + "/accuracy_vs_time.svg");
  line("![accuracy against training time](accuracy_vs_time.svg)");
  examples::save_report(args.out + "/report.md");
  return 0;
}
