// The micro-kernels' C entry points, which generated code calls
// (-loom-cpu-ukernels): each picks the widest instruction set the CPU has, once.
#include "ukernels.hpp"
#include "loom/rt/ukernels.h"

#include "threads_impl.hpp"
#include "loom/rt/error.hpp"
#include "loom/rt/threads.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <utility>

using namespace loom::rt::uk;

namespace {
/// The widest implementation this CPU runs.
template <class Fn> Fn pick([[maybe_unused]] Fn avx512, [[maybe_unused]] Fn avx2, Fn generic) {
#if defined(__x86_64__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f")) return avx512;
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return avx2;
#endif
  return generic;
}
#if defined(__x86_64__)
#define LOOM_UK_PICK(fn) pick(avx512::fn, avx2::fn, generic::fn)
#else
#define LOOM_UK_PICK(fn) pick(generic::fn, generic::fn, generic::fn)
#endif

/// Generated code has no unwind tables: nothing may propagate through it.
template <class F> void guarded(const char *what, F f) {
  try {
    f();
  } catch (const std::exception &e) {
    std::fprintf(stderr, "loom: %s: %s\n", what, e.what());
    std::abort();
  }
}
} // namespace

extern "C" void loom_rt_matmul_f32(float *a, float *b, float *c, int64_t batch, int64_t M, int64_t N, int64_t K,
                                   int64_t as0, int64_t as1, int64_t as2, int64_t bs0, int64_t bs1, int64_t bs2,
                                   int64_t cs0, int64_t cs1, int64_t cs2) {
  static const auto matmul = LOOM_UK_PICK(matmul);
  MatmulGeometry g{batch, M, N, K, {as0, as1, as2}, {bs0, bs1, bs2}, {cs0, cs1, cs2}};
  guarded("matmul micro-kernel", [&] { matmul(g, a, b, c); });
}

extern "C" void loom_rt_conv2d_f32(int64_t kind, float *x, float *w, float *y, int64_t N, int64_t C, int64_t H,
                                   int64_t W, int64_t O, int64_t KH, int64_t KW, int64_t OH, int64_t OW, int64_t sh,
                                   int64_t sw, int64_t dh, int64_t dw, int64_t groups, int64_t xs0, int64_t xs1,
                                   int64_t xs2, int64_t xs3, int64_t ws0, int64_t ws1, int64_t ws2, int64_t ws3,
                                   int64_t ys0, int64_t ys1, int64_t ys2, int64_t ys3, int64_t bt, int64_t bl,
                                   int64_t bb, int64_t br) {
  static const auto conv = LOOM_UK_PICK(conv2d);
  const bool overwrite = kind & LOOM_RT_CONV_OVERWRITE;
  ConvGeometry g{N, C, H, W, O, KH, KW, OH, OW, sh, sw, dh, dw, groups,
                 {xs0, xs1, xs2, xs3}, {ws0, ws1, ws2, ws3}, {ys0, ys1, ys2, ys3}, {bt, bl, bb, br}, overwrite};
  kind &= ~int64_t(LOOM_RT_CONV_OVERWRITE);
  guarded("convolution micro-kernel", [&] {
    if (kind < 0 || kind > int64_t(ConvKind::input_grad_padded))
      throw loom::rt::Error("unknown kind " + std::to_string(kind) +
                            " (0 forward, 1 filter gradient, 2 and 3 input gradient, each | LOOM_RT_CONV_OVERWRITE)");
    for (int64_t b : g.border)
      if (b < 0) throw loom::rt::Error("a negative border (" + std::to_string(b) + ")");
    if (g.border[0] + g.border[2] > H || g.border[1] + g.border[3] > W)
      throw loom::rt::Error("a border wider than x (" + std::to_string(H) + " x " + std::to_string(W) + ")");
    conv(static_cast<ConvKind>(kind), g, x, w, y);
  });
}

namespace {
/// part(args[0], ..., args[N - 1], lo, hi): a kernel part's C signature (its
/// buffers as bare pointers, as generated code passes them).
template <size_t... I> void callPart(void *part, void **args, int64_t lo, int64_t hi, std::index_sequence<I...>) {
  using Fn = void (*)(decltype((void)I, (void *)nullptr)..., int64_t, int64_t);
  reinterpret_cast<Fn>(part)(args[I]..., lo, hi);
}
template <size_t... N> constexpr auto callers(std::index_sequence<N...>) {
  return std::array<void (*)(void *, void **, int64_t, int64_t), sizeof...(N)>{
      [](void *part, void **args, int64_t lo, int64_t hi) { callPart(part, args, lo, hi, std::make_index_sequence<N>{}); }...};
}
constexpr auto kCallers = callers(std::make_index_sequence<LOOM_RT_PARALLEL_FOR_MAX_ARGS + 1>{});
} // namespace

extern "C" void loom_rt_parallel_for(void *part, void **args, int64_t nargs, int64_t n, int64_t grain) {
  guarded("loom_rt_parallel_for", [&] {
    if (nargs < 0 || nargs > LOOM_RT_PARALLEL_FOR_MAX_ARGS)
      throw loom::rt::Error(std::to_string(nargs) + " arguments (at most " +
                            std::to_string(LOOM_RT_PARALLEL_FOR_MAX_ARGS) + ")");
    auto call = kCallers[size_t(nargs)];
    int64_t shares = std::min<int64_t>(loom::rt::num_threads(), n / std::max<int64_t>(grain, 1));
    if (shares <= 1) return call(part, args, 0, n);
    // Contiguous, as even as integers allow; which thread runs a range does not
    // change what it computes.
    parallel(int(shares), [&](int t) { call(part, args, n * t / shares, n * (t + 1) / shares); });
  });
}
