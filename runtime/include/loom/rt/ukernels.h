// The C entry points of the CPU micro-kernels (runtime/src/ukernels), as the
// generated code calls them (-loom-cpu-ukernels) and as benchmarks may. Each
// operand is a pointer to its first element and its element strides; results
// are added to what the output holds (a convolution's may replace it).
#pragma once

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Added to a convolution's kind: its output is set, not added to.
#define LOOM_RT_CONV_OVERWRITE 16

/// kind 0: y += conv(x, w); 1: w += filter gradient from x and dy = y; 2: x += input gradient from w and dy = y;
/// 3: the same from y = dy spread out by the strides and padded by (K-1) dilation on every side,
/// [N, O, H + (KH-1) dh, W + (KW-1) dw] (what generated code has: faster at unit strides).
/// x is [N, C, H, W] (padded), w [O, C/groups, KH, KW], y [N, O, OH, OW] (but for kind 3).
/// bt, bl, bb, br: rows at x's top and bottom and columns at its left and right that are zero (kinds 0, 1: a
/// zero padding) or not needed (kinds 2, 3: the padding's gradient); their taps are skipped. 0 where unknown.
/// kind | LOOM_RT_CONV_OVERWRITE: the output is set instead of added to (its old values are never read, so it
/// needs no zero fill first); dx's border then holds zeros where the kernel does not compute it.
void loom_rt_conv2d_f32(int64_t kind, float *x, float *w, float *y, int64_t N, int64_t C, int64_t H, int64_t W,
                        int64_t O, int64_t KH, int64_t KW, int64_t OH, int64_t OW, int64_t sh, int64_t sw, int64_t dh,
                        int64_t dw, int64_t groups, int64_t xs0, int64_t xs1, int64_t xs2, int64_t xs3, int64_t ws0,
                        int64_t ws1, int64_t ws2, int64_t ws3, int64_t ys0, int64_t ys1, int64_t ys2, int64_t ys3,
                        int64_t bt, int64_t bl, int64_t bb, int64_t br);

/// c[i, m, n] += sum_k a[i, m, k] b[i, k, n] for i < batch; strides (batch, row, column), b's as (k, n).
void loom_rt_matmul_f32(float *a, float *b, float *c, int64_t batch, int64_t M, int64_t N, int64_t K, int64_t as0,
                        int64_t as1, int64_t as2, int64_t bs0, int64_t bs1, int64_t bs2, int64_t cs0, int64_t cs1,
                        int64_t cs2);

/// The most arguments a kernel part may take (-loom-parallel-kernels leaves larger kernels on one thread).
#define LOOM_RT_PARALLEL_FOR_MAX_ARGS 16

/// Runs part(args[0], ..., args[nargs - 1], lo, hi) over contiguous ranges [lo, hi) that cover [0, n),
/// each at least `grain` long, on the runtime's threads (-loom-parallel-kernels' kernels).
void loom_rt_parallel_for(void *part, void **args, int64_t nargs, int64_t n, int64_t grain);

#ifdef __cplusplus
}
#endif
