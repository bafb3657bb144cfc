// One training step of E4's CNN and MLP at batch 64: images per second.
// bench/edge_step.sh runs this and, when PyTorch can be installed, the same
// models in PyTorch with the same thread count, and prints the ratios.
#include "edge_bench.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>

int main(int argc, char **argv) {
  int steps = argc > 1 ? std::atoi(argv[1]) : 200;
  if (steps <= 0) {
    std::fprintf(stderr, "usage: bench_edge_step [steps > 0]\n");
    return 2;
  }
  edge_bench::Model m(1);
  loom::rt::Array<float, 64, 1, 28, 28> x;
  loom::rt::Array<int64_t, 64> y;
  for (long i = 0; i < x.numel; ++i) x[i] = float((i * 37) % 101) / 101.0f;
  for (long i = 0; i < 64; ++i) y[i] = i % 3;
  auto time = [&](auto step) {
    for (int i = 0; i < 5; ++i) step(); // warm-up
    double best = 1e30;
    for (int rep = 0; rep < 3; ++rep) {
      auto t0 = std::chrono::steady_clock::now();
      for (int i = 0; i < steps; ++i) step();
      best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    }
    return 64.0 * steps / best;
  };
  double cnn = time([&] { m.cnn_train(x, y, 1e-3f); });
  double mlp = time([&] { m.mlp_train(x, y, 1e-3f); });
  std::printf("loom cnn_train_step_images_per_s %.0f\n", cnn);
  std::printf("loom mlp_train_step_images_per_s %.0f\n", mlp);
  return 0;
}
