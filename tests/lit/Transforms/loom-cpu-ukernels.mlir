// -loom-cpu-ukernels: marked convolutions and matmuls on buffers become calls of the runtime's micro-kernels.
// RUN: %loom-opt %s -loom-cpu-ukernels -cse | FileCheck %s

#x = affine_map<(n, o, i, c, kh, kw, j) -> (n, c, i + kh, j + kw)>
#w = affine_map<(n, o, i, c, kh, kw, j) -> (o, c, kh, kw)>
#y = affine_map<(n, o, i, c, kh, kw, j) -> (n, o, i, j)>
#dyp = affine_map<(n, ci, p, oo, kh, kw, q) -> (n, oo, p + 2 - kh, q + 2 - kw)>
#wt = affine_map<(n, ci, p, oo, kh, kw, q) -> (oo, ci, kh, kw)>
#dx = affine_map<(n, ci, p, oo, kh, kw, q) -> (n, ci, p, q)>

// A forward convolution: kind 0, x at its view's offset, then N C H W O KH KW OH OW, strides, dilations, groups, and each operand's strides.
// CHECK-LABEL: func.func @forward(
// CHECK: %[[X:.*]] = llvm.getelementptr %{{.*}}[7] : (!llvm.ptr) -> !llvm.ptr, f32
// CHECK: call @loom_rt_conv2d_f32(%c0_i64, %[[X]], %{{.*}}, %{{.*}}, %c1_i64, %c16_i64, %c6_i64, %c6_i64, %c16_i64, %c3_i64, %c3_i64, %c4_i64, %c4_i64, %c1_i64, %c1_i64, %c1_i64, %c1_i64, %c1_i64, %c576_i64, %c36_i64, %c6_i64, %c1_i64, %c144_i64, %c9_i64, %c3_i64, %c1_i64, %c256_i64, %c16_i64, %c4_i64, %c1_i64, %c0_i64, %c0_i64, %c0_i64, %c0_i64)
// CHECK-NOT: linalg.generic
// CHECK: return
func.func @forward(%x: memref<1x16x6x6xf32, strided<[576, 36, 6, 1], offset: 7>>, %w: memref<16x16x3x3xf32>, %y: memref<1x16x4x4xf32>) {
  linalg.generic {indexing_maps = [#x, #w, #y], iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction", "reduction", "parallel"],
                  loom.conv = {kind = "forward", strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, groups = 1 : i64}}
      ins(%x, %w : memref<1x16x6x6xf32, strided<[576, 36, 6, 1], offset: 7>>, memref<16x16x3x3xf32>) outs(%y : memref<1x16x4x4xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  }
  return
}

// A zero fill of the output right before the convolution (views between
// them are fine) goes, and the kernel sets its output instead of adding to it:
// kind 0 + LOOM_RT_CONV_OVERWRITE (16). A fill of another value, or one that
// something else reads before the convolution, stays, and so does the addition.
// CHECK-LABEL: func.func @forward_overwrite(
// CHECK-NOT: linalg.fill
// CHECK: call @loom_rt_conv2d_f32(%c16_i64,
// CHECK-NOT: linalg.fill
// CHECK: return
func.func @forward_overwrite(%x: memref<1x16x6x6xf32>, %w: memref<16x16x3x3xf32>, %arena: memref<1024xi8>) {
  %zero = arith.constant 0.0 : f32
  %c0 = arith.constant 0 : index
  %y = memref.view %arena[%c0][] : memref<1024xi8> to memref<1x16x4x4xf32>
  linalg.fill ins(%zero : f32) outs(%y : memref<1x16x4x4xf32>)
  %c64 = arith.constant 64 : index
  %unused = memref.view %arena[%c64][] : memref<1024xi8> to memref<16xf32>
  linalg.generic {indexing_maps = [#x, #w, #y], iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction", "reduction", "parallel"],
                  loom.conv = {kind = "forward", strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, groups = 1 : i64}}
      ins(%x, %w : memref<1x16x6x6xf32>, memref<16x16x3x3xf32>) outs(%y : memref<1x16x4x4xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  }
  return
}
// CHECK-LABEL: func.func @forward_kept_fills(
// CHECK: linalg.fill
// CHECK: call @loom_rt_conv2d_f32(%c0_i64,
// CHECK: linalg.fill
// CHECK: memref.copy
// CHECK: call @loom_rt_conv2d_f32(%c0_i64,
func.func @forward_kept_fills(%x: memref<1x16x6x6xf32>, %w: memref<16x16x3x3xf32>, %y: memref<1x16x4x4xf32>, %z: memref<1x16x4x4xf32>) {
  %one = arith.constant 1.0 : f32
  linalg.fill ins(%one : f32) outs(%y : memref<1x16x4x4xf32>)
  linalg.generic {indexing_maps = [#x, #w, #y], iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction", "reduction", "parallel"],
                  loom.conv = {kind = "forward", strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, groups = 1 : i64}}
      ins(%x, %w : memref<1x16x6x6xf32>, memref<16x16x3x3xf32>) outs(%y : memref<1x16x4x4xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  }
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%y : memref<1x16x4x4xf32>)
  memref.copy %y, %z : memref<1x16x4x4xf32> to memref<1x16x4x4xf32>
  linalg.generic {indexing_maps = [#x, #w, #y], iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction", "reduction", "parallel"],
                  loom.conv = {kind = "forward", strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, groups = 1 : i64}}
      ins(%x, %w : memref<1x16x6x6xf32>, memref<16x16x3x3xf32>) outs(%y : memref<1x16x4x4xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  }
  return
}

// The input gradient of a stride-2 convolution: the zero-spread, padded
// operand (dyP, 1x16x9x9) goes to the runtime as it is, kind 3
// (input_grad_padded), which reads dy's own elements in it (col2im) or, at
// unit strides, runs a forward GEMM over it; the mark's border (dx's rows and
// columns nobody reads) follows the strides. Its zero fill goes: kind 3 + 16.
// CHECK-LABEL: func.func @input_grad(
// CHECK-SAME: %[[DYP:[^:]*]]: memref<1x16x9x9xf32>
// CHECK: %[[P:.*]] = memref.extract_aligned_pointer_as_index %[[DYP]]
// CHECK: %[[I:.*]] = arith.index_cast %[[P]]
// CHECK: %[[Q:.*]] = llvm.inttoptr %[[I]]
// CHECK: %[[DY:.*]] = llvm.getelementptr %[[Q]][0] : (!llvm.ptr) -> !llvm.ptr, f32
// CHECK-NOT: linalg.fill
// CHECK: call @loom_rt_conv2d_f32(%c19_i64, %{{.*}}, %{{.*}}, %[[DY]], %c1_i64, %c16_i64, %c7_i64, %c7_i64, %c16_i64, %c3_i64, %c3_i64, %c3_i64, %c3_i64, %c2_i64, %c2_i64, %c1_i64, %c1_i64, %c1_i64, %c784_i64, %c49_i64, %c7_i64, %c1_i64, %c144_i64, %c9_i64, %c3_i64, %c1_i64, %c1296_i64, %c81_i64, %c9_i64, %c1_i64, %c1_i64, %c2_i64, %c1_i64, %c0_i64)
func.func @input_grad(%dyp: memref<1x16x9x9xf32>, %w: memref<16x16x3x3xf32>, %dx: memref<1x16x7x7xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%dx : memref<1x16x7x7xf32>)
  linalg.generic {indexing_maps = [#dyp, #wt, #dx], iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction", "reduction", "parallel"],
                  loom.conv = {kind = "input_grad", strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, groups = 1 : i64, border = array<i64: 1, 2, 1, 0>}}
      ins(%dyp, %w : memref<1x16x9x9xf32>, memref<16x16x3x3xf32>) outs(%dx : memref<1x16x7x7xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  }
  return
}

// Something fused into the body, or too few channels for a GEMM to pay: loops stay.
// CHECK-LABEL: func.func @fused(
// CHECK: linalg.generic
// CHECK-NOT: call
func.func @fused(%x: memref<1x16x6x6xf32>, %w: memref<16x16x3x3xf32>, %y: memref<1x16x4x4xf32>) {
  linalg.generic {indexing_maps = [#x, #w, #y], iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction", "reduction", "parallel"],
                  loom.conv = {kind = "forward", strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, groups = 1 : i64}}
      ins(%x, %w : memref<1x16x6x6xf32>, memref<16x16x3x3xf32>) outs(%y : memref<1x16x4x4xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %r = arith.maximumf %a, %b : f32
    %m = arith.mulf %r, %b : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  }
  return
}
// CHECK-LABEL: func.func @narrow(
// CHECK: linalg.generic
// CHECK-NOT: call
func.func @narrow(%x: memref<1x1x6x6xf32>, %w: memref<3x1x3x3xf32>, %y: memref<1x3x4x4xf32>) {
  linalg.generic {indexing_maps = [#x, #w, #y], iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction", "reduction", "parallel"],
                  loom.conv = {kind = "forward", strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, groups = 1 : i64}}
      ins(%x, %w : memref<1x1x6x6xf32>, memref<3x1x3x3xf32>) outs(%y : memref<1x3x4x4xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  }
  return
}
// A 1 -> 3 convolution with 25 taps goes to the runtime (its few-output
// kernel beats the loops); its 3x3 form above, with 9, stays loops.
// CHECK-LABEL: func.func @few_outputs(
// CHECK: call @loom_rt_conv2d_f32(%c0_i64,
// CHECK-NOT: linalg.generic
func.func @few_outputs(%x: memref<2x1x10x10xf32>, %w: memref<3x1x5x5xf32>, %y: memref<2x3x6x6xf32>) {
  linalg.generic {indexing_maps = [#x, #w, #y], iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction", "reduction", "parallel"],
                  loom.conv = {kind = "forward", strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, groups = 1 : i64}}
      ins(%x, %w : memref<2x1x10x10xf32>, memref<3x1x5x5xf32>) outs(%y : memref<2x3x6x6xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  }
  return
}
// The filter gradient of the same 1 -> 3 convolution goes to the runtime
// (its dot products along the pixels beat the loops): kind 1.
#fx = affine_map<(o, c, kh, kw, n, i, j) -> (n, c, i + kh, j + kw)>
#fy = affine_map<(o, c, kh, kw, n, i, j) -> (n, o, i, j)>
#fw = affine_map<(o, c, kh, kw, n, i, j) -> (o, c, kh, kw)>
// CHECK-LABEL: func.func @narrow_filter_grad(
// CHECK: call @loom_rt_conv2d_f32(%c1_i64,
// CHECK-NOT: linalg.generic
func.func @narrow_filter_grad(%x: memref<8x1x6x6xf32>, %dy: memref<8x3x4x4xf32>, %dw: memref<3x1x3x3xf32>) {
  linalg.generic {indexing_maps = [#fx, #fy, #fw], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"],
                  loom.conv = {kind = "filter_grad", strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, groups = 1 : i64}}
      ins(%x, %dy : memref<8x1x6x6xf32>, memref<8x3x4x4xf32>) outs(%dw : memref<3x1x3x3xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  }
  return
}
// A Linear layer's matmul, x @ w^T with w as [N, K] read in place: batch 1,
// M N K, then A's, B's (as k, n: 1 and 784) and C's strides.
#a = affine_map<(m, n, k) -> (m, k)>
#bt = affine_map<(m, n, k) -> (n, k)>
#c = affine_map<(m, n, k) -> (m, n)>
// CHECK-LABEL: func.func @linear(
// CHECK: call @loom_rt_matmul_f32(%{{.*}}, %{{.*}}, %{{.*}}, %c1_i64, %c64_i64, %c256_i64, %c784_i64, %c0_i64, %c784_i64, %c1_i64, %c0_i64, %c1_i64, %c784_i64, %c0_i64, %c256_i64, %c1_i64)
// CHECK-NOT: linalg.generic
func.func @linear(%x: memref<64x784xf32>, %w: memref<256x784xf32>, %y: memref<64x256xf32>) {
  linalg.generic {indexing_maps = [#a, #bt, #c], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %w : memref<64x784xf32>, memref<256x784xf32>) outs(%y : memref<64x256xf32>) {
  ^bb0(%p: f32, %q: f32, %acc: f32):
    %m = arith.mulf %p, %q fastmath<reassoc, contract> : f32
    %s = arith.addf %acc, %m fastmath<reassoc, contract> : f32
    linalg.yield %s : f32
  }
  return
}
// Any contraction, however fusion folded transposes and reshapes into its maps:
// dx = dy W for a Linear layer after a flatten, W [120, 400] read as the
// convolution's [120, 16, 5, 5] (n = 16 x 5 x 5 flattened: strides compose);
// dW^T = x^T dy with A read transposed (a's strides: k 400, m 1).
#f_a = affine_map<(b, c, h, w, o) -> (b, o)>
#f_b = affine_map<(b, c, h, w, o) -> (o, c, h, w)>
#f_c = affine_map<(b, c, h, w, o) -> (b, c, h, w)>
#t_a = affine_map<(m, k, n) -> (k, m)>
#t_b = affine_map<(m, k, n) -> (k, n)>
#t_c = affine_map<(m, k, n) -> (m, n)>
// CHECK-LABEL: func.func @reshaped(
// CHECK: call @loom_rt_matmul_f32(%{{.*}}, %{{.*}}, %{{.*}}, %c1_i64, %c64_i64, %c400_i64, %c120_i64, %c0_i64, %c120_i64, %c1_i64, %c0_i64, %c400_i64, %c1_i64, %c0_i64, %c400_i64, %c1_i64)
// CHECK-LABEL: func.func @transposed_a(
// CHECK: call @loom_rt_matmul_f32(%{{.*}}, %{{.*}}, %{{.*}}, %c1_i64, %c400_i64, %c120_i64, %c64_i64, %c0_i64, %c1_i64, %c400_i64, %c0_i64, %c120_i64, %c1_i64, %c0_i64, %c120_i64, %c1_i64)
func.func @reshaped(%dy: memref<64x120xf32>, %w: memref<120x16x5x5xf32>, %dx: memref<64x16x5x5xf32>) {
  linalg.generic {indexing_maps = [#f_a, #f_b, #f_c], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%dy, %w : memref<64x120xf32>, memref<120x16x5x5xf32>) outs(%dx : memref<64x16x5x5xf32>) {
  ^bb0(%p: f32, %q: f32, %acc: f32):
    %m = arith.mulf %p, %q fastmath<reassoc, contract> : f32
    %s = arith.addf %acc, %m fastmath<reassoc, contract> : f32
    linalg.yield %s : f32
  }
  return
}
func.func @transposed_a(%x: memref<64x400xf32>, %dy: memref<64x120xf32>, %dw: memref<400x120xf32>) {
  linalg.generic {indexing_maps = [#t_a, #t_b, #t_c], iterator_types = ["parallel", "reduction", "parallel"]}
      ins(%x, %dy : memref<64x400xf32>, memref<64x120xf32>) outs(%dw : memref<400x120xf32>) {
  ^bb0(%p: f32, %q: f32, %acc: f32):
    %m = arith.mulf %p, %q fastmath<reassoc, contract> : f32
    %s = arith.addf %acc, %m fastmath<reassoc, contract> : f32
    linalg.yield %s : f32
  }
  return
}
// A reduction that is not a contraction (a dot product per row: no n), and a
// contraction whose k dimensions (h, w) do not flatten (A's rows of 5 lie 6
// apart), stay loops.
#d_a = affine_map<(m, k) -> (m, k)>
#d_c = affine_map<(m, k) -> (m)>
#p_a = affine_map<(m, n, h, w) -> (m, h, w)>
#p_b = affine_map<(m, n, h, w) -> (h, w, n)>
#p_c = affine_map<(m, n, h, w) -> (m, n)>
// CHECK-LABEL: func.func @not_matmuls(
// CHECK-NOT: call
// CHECK: linalg.generic
// CHECK-NOT: call
// CHECK: linalg.generic
// CHECK-NOT: call
// CHECK: return
func.func @not_matmuls(%x: memref<64x400xf32>, %y: memref<64x400xf32>, %r: memref<64xf32>,
                       %a: memref<64x5x5xf32, strided<[30, 6, 1]>>, %b: memref<5x5x32xf32>, %c: memref<64x32xf32>) {
  linalg.generic {indexing_maps = [#d_a, #d_a, #d_c], iterator_types = ["parallel", "reduction"]}
      ins(%x, %y : memref<64x400xf32>, memref<64x400xf32>) outs(%r : memref<64xf32>) {
  ^bb0(%p: f32, %q: f32, %acc: f32):
    %m = arith.mulf %p, %q : f32
    %t = arith.addf %acc, %m : f32
    linalg.yield %t : f32
  }
  linalg.generic {indexing_maps = [#p_a, #p_b, #p_c], iterator_types = ["parallel", "parallel", "reduction", "reduction"]}
      ins(%a, %b : memref<64x5x5xf32, strided<[30, 6, 1]>>, memref<5x5x32xf32>) outs(%c : memref<64x32xf32>) {
  ^bb0(%p: f32, %q: f32, %acc: f32):
    %m = arith.mulf %p, %q : f32
    %t = arith.addf %acc, %m : f32
    linalg.yield %t : f32
  }
  return
}
// A matmul with 10 output columns (a classifier) stays loops.
// CHECK-LABEL: func.func @classifier(
// CHECK: linalg.generic
func.func @classifier(%x: memref<64x256xf32>, %w: memref<10x256xf32>, %y: memref<64x10xf32>) {
  linalg.generic {indexing_maps = [#a, #bt, #c], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %w : memref<64x256xf32>, memref<10x256xf32>) outs(%y : memref<64x10xf32>) {
  ^bb0(%p: f32, %q: f32, %acc: f32):
    %m = arith.mulf %p, %q fastmath<reassoc, contract> : f32
    %s = arith.addf %acc, %m fastmath<reassoc, contract> : f32
    linalg.yield %s : f32
  }
  return
}
// CHECK-DAG: func.func private @loom_rt_conv2d_f32(i64, !llvm.ptr, !llvm.ptr, !llvm.ptr, i64,
// CHECK-DAG: func.func private @loom_rt_matmul_f32(!llvm.ptr, !llvm.ptr, !llvm.ptr, i64,
