// One training step of E4's CNN and MLP at batch 64 on the GPU against the same
// step on the CPU, in one process: images per second, the ratio, and the
// device memory loom's allocator used. Without a GPU it says so and exits 77.
#include "edge_bench.h"

#include <chrono>
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
  loom::rt::Array<float, 64, 1, 28, 28> x;
  loom::rt::Array<int64_t, 64> y;
  for (long i = 0; i < x.numel; ++i) x[i] = float((i * 37) % 101) / 101.0f;
  for (long i = 0; i < 64; ++i) y[i] = i % 3;
  auto time = [&](auto step) {
    for (int i = 0; i < 5; ++i) step(); // warm-up (the first GPU call also JIT-compiles the PTX)
    double best = 1e30;
    for (int rep = 0; rep < 3; ++rep) {
      auto t0 = std::chrono::steady_clock::now();
      for (int i = 0; i < steps; ++i) step();
      best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    }
    return 64.0 * steps / best;
  };
  edge_bench::Model cpu(1, Device::cpu), gpu(1, Device::cuda);
  loom::rt::cuda::reset_peak();
  for (const char *net : {"cnn", "mlp"}) {
    bool cnn = net[0] == 'c';
    double c = time([&] { cnn ? cpu.cnn_train(x, y, 1e-3f) : cpu.mlp_train(x, y, 1e-3f); });
    double g = time([&] { cnn ? gpu.cnn_train(x, y, 1e-3f) : gpu.mlp_train(x, y, 1e-3f); });
    std::printf("%s train step, batch 64: cpu %.0f images/s, cuda %.0f images/s, cuda/cpu %.2f\n", net, c, g, g / c);
  }
  auto s = loom::rt::cuda::memory_stats();
  std::printf("device memory: peak %.1f MiB in use by loom (%.1f MiB held); the GPU has %.1f of %.1f GiB free\n",
              s.peak / 1048576.0, s.reserved / 1048576.0, s.device_free / 1073741824.0, s.device_total / 1073741824.0);
  return 0;
}
