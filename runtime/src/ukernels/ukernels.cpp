// The micro-kernels' C entry points, which generated code calls
// (-loom-cpu-ukernels): each picks the widest instruction set the CPU has, once.
#include "ukernels.hpp"

#include <cstdio>
#include <cstdlib>
#include <exception>

using namespace loom::rt::uk;

namespace {
using ConvFn = void (*)(ConvKind, const ConvGeometry &, float *, float *, float *);
ConvFn pickConv() {
#if defined(__x86_64__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f")) return avx512::conv2d;
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return avx2::conv2d;
#endif
  return generic::conv2d;
}
} // namespace

extern "C" void loom_rt_conv2d_f32(int64_t kind, float *x, float *w, float *y, int64_t N, int64_t C, int64_t H,
                                   int64_t W, int64_t O, int64_t KH, int64_t KW, int64_t OH, int64_t OW, int64_t sh,
                                   int64_t sw, int64_t dh, int64_t dw, int64_t groups, int64_t xs0, int64_t xs1,
                                   int64_t xs2, int64_t xs3, int64_t ws0, int64_t ws1, int64_t ws2, int64_t ws3,
                                   int64_t ys0, int64_t ys1, int64_t ys2, int64_t ys3) {
  static const ConvFn conv = pickConv();
  ConvGeometry g{N, C, H, W, O, KH, KW, OH, OW, sh, sw, dh, dw, groups,
                 {xs0, xs1, xs2, xs3}, {ws0, ws1, ws2, ws3}, {ys0, ys1, ys2, ys3}};
  // Generated code has no unwind tables: nothing may propagate through it.
  try {
    conv(static_cast<ConvKind>(kind), g, x, w, y);
  } catch (const std::exception &e) {
    std::fprintf(stderr, "loom: convolution micro-kernel: %s\n", e.what());
    std::abort();
  }
}
