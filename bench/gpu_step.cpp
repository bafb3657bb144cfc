// One training step of E4's CNN and MLP at batch 64 on the GPU against the same
// step on the CPU, in one process: images per second, the ratio, and the
// device memory loom's allocator used. Without a GPU it says so and exits 77.
#include "edge_bench.h"
#include "edge_step.hpp"

#include <cstdio>
#include <cstdlib>

using loom::rt::Device;

int main(int argc, char **argv) {
  int steps = argc > 1 ? std::atoi(argv[1]) : 200;
  if (steps <= 0) {
    std::fprintf(stderr, "usage: bench_gpu_step [steps > 0]\n");
    return 2;
  }
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
  edge_bench::Model cpu(1, Device::cpu), gpu(1, Device::cuda);
  loom::rt::cuda::reset_peak();
  for (const char *net : {"cnn", "mlp"}) {
    bool cnn = net[0] == 'c';
    auto step = [&](edge_bench::Model &m) { cnn ? m.cnn_train(b.x, b.y, 1e-3f) : m.mlp_train(b.x, b.y, 1e-3f); };
    double c = edge_step::images_per_second(steps, [&] { step(cpu); });
    double g = edge_step::images_per_second(steps, [&] { step(gpu); });
    std::printf("%s train step, batch 64: cpu %.0f images/s, cuda %.0f images/s, cuda/cpu %.2f\n", net, c, g, g / c);
  }
  auto s = loom::rt::cuda::memory_stats();
  std::printf("device memory: peak %.1f MiB in use by loom (%.1f MiB held); the GPU has %.1f of %.1f GiB free\n",
              s.peak / 1048576.0, s.reserved / 1048576.0, s.device_free / 1073741824.0, s.device_total / 1073741824.0);
  return 0;
}
