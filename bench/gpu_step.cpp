// One training step at batch 64 on the GPU against the same step on the CPU, in
// one process: E4's CNN and MLP (3-channel 7x7 convolutions, launch-bound) and
// E1 i's ConvNet (16 and 32 channels, dropout 0.5). Prints images per second,
// the ratio, the device memory loom's allocator used, and `loom_cuda NAME
// images/s` lines that scripts/gpu-check.sh sets against PyTorch's.
// Without a GPU it says so and exits 77.
#include "edge_step.hpp"

#include <chrono>
#include <loom/rt/args.hpp>
#include <cstdio>
#include <cstdlib>

using loom::rt::Device;

int main(int argc, char **argv) {
  loom::rt::exit_on_uncaught_exceptions("bench_gpu_step");
  loom::rt::ArgParser args("bench_gpu_step", "E4's train steps on the GPU, images/s (skips without one).");
  args.positional("steps", "200", "train steps timed per model");
  args.parse(argc, argv);
  const int steps = int(args.integer("steps", 1));
  std::string why;
  if (!loom::rt::cuda::available(&why)) {
    std::printf("SKIP: no GPU: %s\n", why.c_str());
    return 77;
  }
  if (!edge_bench::has_cuda) {
    std::printf("SKIP: edge_bench was built without the cuda target (no CUDA toolkit at build time)\n");
    return 77;
  }
  std::printf("GPU: %s\n", loom::rt::cuda::device_description().c_str());
  edge_step::Batch b;
  edge_step::Nets cpu(Device::cpu), gpu(Device::cuda);
  { // the first call loads the model's kernels (the driver JIT-compiles the PTX, or takes it from its cache)
    auto t0 = std::chrono::steady_clock::now();
    gpu.cnn(b);
    loom::rt::cuda::synchronize();
    std::printf("first cuda call (loads the kernels): %.2f s\n",
                std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  loom::rt::cuda::reset_peak();
  auto compare = [&](const char *net, int cpu_steps, void (edge_step::Nets::*step)(edge_step::Batch &)) {
    double c = edge_step::images_per_second(cpu_steps, [&] { (cpu.*step)(b); });
    double g = edge_step::images_per_second(steps, [&] { (gpu.*step)(b); });
    std::printf("%s train step, batch 64: cpu %.0f images/s, cuda %.0f images/s, cuda/cpu %.2f\n", net, c, g, g / c);
    std::printf("loom_cuda %s_train_step_images_per_s %.0f\n", net, g);
  };
  compare("cnn", steps, &edge_step::Nets::cnn);
  compare("mlp", steps, &edge_step::Nets::mlp);
  compare("convnet", edge_step::convnet_cpu_steps(steps), &edge_step::Nets::convnet);
  auto s = loom::rt::cuda::memory_stats();
  std::printf("device memory: peak %.1f MiB in use by loom (%.1f MiB held); the GPU has %.1f of %.1f GiB free\n",
              s.peak / 1048576.0, s.reserved / 1048576.0, s.device_free / 1073741824.0, s.device_total / 1073741824.0);
  return 0;
}
