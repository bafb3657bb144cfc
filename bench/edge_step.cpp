// One training step at batch 64 of E4's CNN and MLP, of LeNet-5 and of E1 i's
// ConvNet (16 and 32 channels, 3x3, dropout 0.5): images per second. bench/edge_step.sh
// runs this and, when PyTorch can be installed, the same models in PyTorch with
// the same thread count, and prints the ratios.
#include "edge_step.hpp"

#include <loom/rt/args.hpp>
#include <cstdio>
#include <cstdlib>
#include <string>

int main(int argc, char **argv) {
  loom::rt::exit_on_uncaught_exceptions("bench_edge_step");
  loom::rt::ArgParser args("bench_edge_step", "E4's CNN and MLP, LeNet-5 and E1 i's ConvNet train steps on the CPU, images/s.");
  args.positional("steps", "200", "train steps timed per model");
  args.option("only", "", "time only this model (cnn, mlp, lenet or convnet)");
  args.parse(argc, argv);
  const int steps = int(args.integer("steps", 1));
  const std::string only = args.get("only");
  if (!only.empty() && only != "cnn" && only != "mlp" && only != "lenet" && only != "convnet") {
    std::fprintf(stderr, "bench_edge_step: --only '%s': expected cnn, mlp, lenet or convnet\n", only.c_str());
    return 2;
  }
  edge_step::Nets n(loom::rt::Device::cpu);
  edge_step::Batch b;
  auto time = [&](const char *name, int count, auto step) {
    if (only.empty() || only == name)
      std::printf("loom %s_train_step_images_per_s %.0f\n", name, edge_step::images_per_second(count, step));
  };
  time("cnn", steps, [&] { n.cnn(b); });
  time("mlp", steps, [&] { n.mlp(b); });
  time("lenet", steps, [&] { n.lenet(b); });
  time("convnet", edge_step::convnet_cpu_steps(steps), [&] { n.convnet(b); });
  return 0;
}
