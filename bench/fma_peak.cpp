// This machine's FP32 peak on one core: 12 independent FMA chains (enough to
// cover 2 FMA ports x 4-5 cycles of latency on every x86 core seen here) on the
// widest vectors the CPU has (AVX-512, else AVX2), in assembly so that no
// register allocator can spill a chain. bench/run.sh quotes every figure as a
// fraction of it.
#include <loom/rt/args.hpp>

#include <chrono>
#include <cstdio>

namespace {

#define LOOM_FMA12(R)                                                                                                  \
  "vfmadd231ps %%" R "12, %%" R "13, %%" R "0\n vfmadd231ps %%" R "12, %%" R "13, %%" R "1\n"                          \
  "vfmadd231ps %%" R "12, %%" R "13, %%" R "2\n vfmadd231ps %%" R "12, %%" R "13, %%" R "3\n"                          \
  "vfmadd231ps %%" R "12, %%" R "13, %%" R "4\n vfmadd231ps %%" R "12, %%" R "13, %%" R "5\n"                          \
  "vfmadd231ps %%" R "12, %%" R "13, %%" R "6\n vfmadd231ps %%" R "12, %%" R "13, %%" R "7\n"                          \
  "vfmadd231ps %%" R "12, %%" R "13, %%" R "8\n vfmadd231ps %%" R "12, %%" R "13, %%" R "9\n"                          \
  "vfmadd231ps %%" R "12, %%" R "13, %%" R "10\n vfmadd231ps %%" R "12, %%" R "13, %%" R "11\n"

/// Seconds for `iters` rounds of 12 FMAs (all inputs zero: no denormals).
__attribute__((target("avx512f"))) void fma512(long iters) {
  asm volatile("vpxord %%zmm12, %%zmm12, %%zmm12\n vpxord %%zmm13, %%zmm13, %%zmm13\n"
               "1:\n" LOOM_FMA12("zmm") "dec %0\n jnz 1b\n"
               : "+r"(iters)::"xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10",
                 "xmm11", "xmm12", "xmm13", "cc");
}
__attribute__((target("avx2,fma"))) void fma256(long iters) {
  asm volatile("vpxor %%ymm12, %%ymm12, %%ymm12\n vpxor %%ymm13, %%ymm13, %%ymm13\n"
               "1:\n" LOOM_FMA12("ymm") "dec %0\n jnz 1b\n"
               : "+r"(iters)::"xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10",
                 "xmm11", "xmm12", "xmm13", "cc");
}
} // namespace

int main(int argc, char **argv) {
  loom::rt::ArgParser("bench_fma_peak", "One core's FP32 peak, GFLOP/s, from independent FMA chains.").parse(argc, argv);
  __builtin_cpu_init();
  bool wide = __builtin_cpu_supports("avx512f");
  const int lanes = wide ? 16 : 8;
  const long iters = 100'000'000;
  double best = 0;
  for (int rep = 0; rep < 5; ++rep) {
    auto t0 = std::chrono::steady_clock::now();
    wide ? fma512(iters) : fma256(iters);
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    double g = 2.0 * lanes * 12 * iters / s / 1e9;
    best = g > best ? g : best;
  }
  std::printf("fma_peak_gflops %.1f (%s, one core)\n", best, wide ? "AVX-512" : "AVX2");
  return 0;
}
