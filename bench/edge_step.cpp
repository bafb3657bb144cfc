// One training step at batch 64 of E4's CNN and MLP, of LeNet-5 and of E1 i's
// ConvNet (16 and 32 channels, 3x3, dropout 0.5): images per second. bench/edge_step.sh
// runs this and, when PyTorch can be installed, the same models in PyTorch with
// the same thread count, and prints the ratios.
#include "edge_step.hpp"

#include <loom/rt/args.hpp>
#include <cstdio>
#include <cstdlib>

int main(int argc, char **argv) {
  loom::rt::exit_on_uncaught_exceptions("bench_edge_step");
  loom::rt::ArgParser args("bench_edge_step", "E4's CNN and MLP, LeNet-5 and E1 i's ConvNet train steps on the CPU, images/s.");
  args.positional("steps", "200", "train steps timed per model");
  args.parse(argc, argv);
  const int steps = int(args.integer("steps", 1));
  edge_step::Nets n(loom::rt::Device::cpu);
  edge_step::Batch b;
  double cnn = edge_step::images_per_second(steps, [&] { n.cnn(b); });
  double mlp = edge_step::images_per_second(steps, [&] { n.mlp(b); });
  double lenet = edge_step::images_per_second(steps, [&] { n.lenet(b); });
  double convnet = edge_step::images_per_second(edge_step::convnet_cpu_steps(steps), [&] { n.convnet(b); });
  std::printf("loom cnn_train_step_images_per_s %.0f\n", cnn);
  std::printf("loom mlp_train_step_images_per_s %.0f\n", mlp);
  std::printf("loom lenet_train_step_images_per_s %.0f\n", lenet);
  std::printf("loom convnet_train_step_images_per_s %.0f\n", convnet);
  return 0;
}
