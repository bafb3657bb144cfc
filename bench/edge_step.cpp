// One training step at batch 64 of E4's CNN and MLP and of E1 i's ConvNet
// (16 and 32 channels, 3x3, dropout 0.5): images per second. bench/edge_step.sh
// runs this and, when PyTorch can be installed, the same models in PyTorch with
// the same thread count, and prints the ratios.
#include "cheat.h"
#include "edge_bench.h"
#include "edge_step.hpp"

#include <algorithm>
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
  cheat::Model e1(1);
  loom::rt::Array<float> p;
  p[0] = 0.5f;
  // Its step is ~30x an E4 CNN step: fewer steps.
  double convnet = edge_step::images_per_second(std::max(1, steps / 10), [&] { e1.train(b.x, b.y, p, 3e-3f); });
  std::printf("loom cnn_train_step_images_per_s %.0f\n", cnn);
  std::printf("loom mlp_train_step_images_per_s %.0f\n", mlp);
  std::printf("loom convnet_train_step_images_per_s %.0f\n", convnet);
  return 0;
}
