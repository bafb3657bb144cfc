// The runtime's CPU micro-kernels, called from generated code where loops
// from MLIR's linalg lowering run far from the machine's peak (see
// docs/architecture.md, "CPU kernels"). One implementation per instruction
// set; the entry points pick the widest the CPU has.
#pragma once

#include <cstdint>

namespace loom::rt::uk {

/// input_grad reads dy itself; input_grad_padded reads dyP, dy spread out by
/// the strides into zeros and padded by (K-1) d on every side
/// (-loom-to-linalg's form, which generated code passes): at unit strides the
/// gradient is then a forward convolution of dyP with the flipped filter, a
/// GEMM whose reduction is O KH KW long instead of col2im's O.
enum class ConvKind : int64_t { forward = 0, filter_grad = 1, input_grad = 2, input_grad_padded = 3 };

/// One 2-D convolution y[n, o, i, j] = sum_{c, kh, kw} x[n, g Cg + c, i sh + kh dh, j sw + kw dw] w[o, c, kh, kw]
/// (x already padded), as loom.conv2d has it; each operand by its element strides.
/// forward writes y; filter_grad writes w (dw) from x and y (dy); input_grad
/// writes x (dx) from w and y (dy); input_grad_padded the same from y = dyP
/// ([N, O, H + (KH-1) dh, W + (KW-1) dw], ys its strides). Results are added
/// to what the output holds, or replace it (`overwrite`).
/// border (top, left, bottom, right rows and columns of x): for forward and
/// filter_grad where x is known to be zero (a zero padding), for the input
/// gradients where dx is not needed (the padding's gradient, which the unpad
/// drops). The input gradient's forward form computes dx's interior only.
/// Skipping the taps that fall on it (a quarter of a 3 x 3 convolution's work
/// at 8 x 8, a third at 4 x 4) by one GEMM per class of pixels with the same
/// taps measured slower here (ResNet-18's convolutions 940-990 -> 1,099 ms:
/// nine small GEMMs each packing the filter again), so forward and
/// filter_grad take the border and do not use it yet. The stride-1 3 x 3
/// kinds with enough channels run in Winograd's form (winograd.hpp).
struct ConvGeometry {
  int64_t N, C, H, W, O, KH, KW, OH, OW, sh, sw, dh, dw, groups;
  int64_t xs[4], ws[4], ys[4];
  int64_t border[4] = {0, 0, 0, 0};
  /// The output is set, not added to: its old values are never read (no zero fill before). An input
  /// gradient's border (dx's padding ring) then holds zeros where the kernel does not compute it.
  bool overwrite = false;
};

/// C[b, m, n] += sum_k A[b, m, k] B[b, k, n], each operand by its element
/// strides (batch, row, column; B's as (k, n) whatever its layout).
struct MatmulGeometry {
  int64_t batch, M, N, K;
  int64_t as[3], bs[3], cs[3];
};

#define LOOM_UK_DECLARE(ISA)                                                                                            \
  namespace ISA {                                                                                                       \
  void conv2d(ConvKind, const ConvGeometry &, float *x, float *w, float *y);                                            \
  void matmul(const MatmulGeometry &, const float *a, const float *b, float *c);                                        \
  }
#if defined(__x86_64__)
LOOM_UK_DECLARE(avx512)
LOOM_UK_DECLARE(avx2)
#endif
LOOM_UK_DECLARE(generic)
#undef LOOM_UK_DECLARE

} // namespace loom::rt::uk
