// This machine's FP32 peak on one core: independent FMA chains (enough to
// cover the FMA latency on every x86 core seen here) on the widest vectors the
// CPU has (AVX-512, else AVX2). bench/run.sh quotes every figure as a fraction of it.
#include <chrono>
#include <cstdio>

namespace {
template <int L> using V = float __attribute__((vector_size(L * 4)));

template <int L> [[gnu::always_inline]] inline double gflops(long iters) {
  constexpr int chains = 16; // >= 2 FMA ports x 4-5 cycles of latency, and all in registers
  V<L> acc[chains], a, b;
  for (int i = 0; i < L; ++i) a[i] = 1.0f + 1e-7f * i, b[i] = 1e-7f;
  for (int c = 0; c < chains; ++c) acc[c] = a * float(c);
  auto t0 = std::chrono::steady_clock::now();
  for (long it = 0; it < iters; ++it) {
#pragma clang loop unroll(full)
    for (int c = 0; c < chains; ++c) acc[c] = acc[c] * a + b;
  }
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  float sink = 0;
  for (int c = 0; c < chains; ++c) sink += acc[c][0];
  if (sink == 42.0f) std::puts("");
  return 2.0 * L * chains * iters / s / 1e9;
}

__attribute__((target("avx512f,fma"))) double peak512(long n) { return gflops<16>(n); }
__attribute__((target("avx2,fma"))) double peak256(long n) { return gflops<8>(n); }
} // namespace

int main() {
  __builtin_cpu_init();
  bool wide = __builtin_cpu_supports("avx512f");
  double best = 0;
  for (int rep = 0; rep < 5; ++rep) {
    double g = wide ? peak512(20'000'000) : peak256(20'000'000);
    best = g > best ? g : best;
  }
  std::printf("fma_peak_gflops %.1f (%s, one core)\n", best, wide ? "AVX-512" : "AVX2");
  return 0;
}
