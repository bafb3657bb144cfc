// ResNet-18 (CIFAR, torchvision's structure) at batch 64 on the CPU: one
// train step (SGD momentum 0.9) and one forward, milliseconds each (best of
// `runs` after one warm-up), and the process's peak RSS. bench/run.sh runs it
// next to PyTorch.
#include "resnet18.h"
#include "../best_ms.hpp"

#include <loom/rt/args.hpp>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>

int main(int argc, char **argv) {
  loom::rt::exit_on_uncaught_exceptions("bench_resnet_step");
  loom::rt::ArgParser args("bench_resnet_step", "CIFAR ResNet-18 at batch 64: train step and forward, best of RUNS, peak RSS.");
  args.positional("runs", "3", "timed runs after one warm-up");
  args.parse(argc, argv);
  const int runs = int(std::min(args.integer("runs", 1), 1000L));
  resnet18::Model model(1, loom::rt::Device::cpu);
  loom::rt::Array<float, 64, 3, 32, 32> x;
  loom::rt::Array<int64_t, 64> y;
  for (long i = 0; i < x.numel; ++i) x[i] = float((i * 37) % 101) / 101.0f - 0.5f;
  for (long i = 0; i < 64; ++i) y[i] = i % 10;
  float loss = 0;
  double train = best_ms(runs, [&] { loss = model.train(x, y, 1e-3f); });
  double forward = best_ms(runs, [&] { (void)model.predict(x); });
  std::printf("loom resnet18_train_ms %.1f\n", train);
  std::printf("loom resnet18_forward_ms %.1f\n", forward);
  // The training process's peak resident set (train steps and forwards), MB.
  std::printf("loom resnet18_peak_rss_mb %.1f\n", loom::rt::memory_usage().peak_rss_bytes / 1e6);
  std::printf("(last loss %.4f)\n", loss);
  return 0;
}
