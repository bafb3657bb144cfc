// One training step of E4's CNN and MLP at batch 64: images per second.
// bench/edge_step.sh runs this and, when PyTorch can be installed, the same
// models in PyTorch with the same thread count, and prints the ratios.
#include "edge_bench.h"
#include "edge_step.hpp"

#include <cstdio>
#include <cstdlib>

int main(int argc, char **argv) {
  int steps = argc > 1 ? std::atoi(argv[1]) : 200;
  if (steps <= 0) {
    std::fprintf(stderr, "usage: bench_edge_step [steps > 0]\n");
    return 2;
  }
  edge_bench::Model m(1);
  edge_step::Batch b;
  double cnn = edge_step::images_per_second(steps, [&] { m.cnn_train(b.x, b.y, 1e-3f); });
  double mlp = edge_step::images_per_second(steps, [&] { m.mlp_train(b.x, b.y, 1e-3f); });
  std::printf("loom cnn_train_step_images_per_s %.0f\n", cnn);
  std::printf("loom mlp_train_step_images_per_s %.0f\n", mlp);
  return 0;
}
