// Square f32 matmuls (512, 1024, 2048) through the runtime's micro-kernel
// that generated code calls (loom_rt_matmul_f32): milliseconds, best of 3.
// bench/run.sh times torch.mm on the same sizes (bench/torch_resnet.py --matmuls).
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <vector>

extern "C" void loom_rt_matmul_f32(float *a, float *b, float *c, int64_t batch, int64_t M, int64_t N, int64_t K,
                                   int64_t as0, int64_t as1, int64_t as2, int64_t bs0, int64_t bs1, int64_t bs2,
                                   int64_t cs0, int64_t cs1, int64_t cs2);

int main() {
  for (int64_t n : {512, 1024, 2048}) {
    std::vector<float> a(n * n, 0.5f), b(n * n, 0.25f), c(n * n, 0.0f);
    auto run = [&] { loom_rt_matmul_f32(a.data(), b.data(), c.data(), 1, n, n, n, 0, n, 1, 0, n, 1, 0, n, 1); };
    run();
    double best = 1e30;
    for (int r = 0; r < 3; ++r) {
      auto t0 = std::chrono::steady_clock::now();
      run();
      best = std::min(best, std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    }
    std::printf("loom matmul_%ld %.3f %.4f\n", long(n), best, 2.0 * n * n * n / 1e9);
  }
  return 0;
}
