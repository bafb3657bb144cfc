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

// The input gradient of a stride-2 convolution: the zero-spread, padded
// operand (dyP, 1x16x9x9) goes to the runtime as it is, kind 3
// (input_grad_padded), which reads dy's own elements in it (col2im) or, at
// unit strides, runs a forward GEMM over it; the mark's border (dx's rows and
// columns nobody reads) follows the strides.
// CHECK-LABEL: func.func @input_grad(
// CHECK-SAME: %[[DYP:[^:]*]]: memref<1x16x9x9xf32>
// CHECK: %[[P:.*]] = memref.extract_aligned_pointer_as_index %[[DYP]]
// CHECK: %[[I:.*]] = arith.index_cast %[[P]]
// CHECK: %[[Q:.*]] = llvm.inttoptr %[[I]]
// CHECK: %[[DY:.*]] = llvm.getelementptr %[[Q]][0] : (!llvm.ptr) -> !llvm.ptr, f32
// CHECK: call @loom_rt_conv2d_f32(%c3_i64, %{{.*}}, %{{.*}}, %[[DY]], %c1_i64, %c16_i64, %c7_i64, %c7_i64, %c16_i64, %c3_i64, %c3_i64, %c3_i64, %c3_i64, %c2_i64, %c2_i64, %c1_i64, %c1_i64, %c1_i64, %c784_i64, %c49_i64, %c7_i64, %c1_i64, %c144_i64, %c9_i64, %c3_i64, %c1_i64, %c1296_i64, %c81_i64, %c9_i64, %c1_i64, %c1_i64, %c2_i64, %c1_i64, %c0_i64)
func.func @input_grad(%dyp: memref<1x16x9x9xf32>, %w: memref<16x16x3x3xf32>, %dx: memref<1x16x7x7xf32>) {
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
// A Linear layer's matmul, x @ w^T with w as [N, K] read in place: batch 1,
// M N K, then A's, B's (as k, n: 1 and 784) and C's strides.
#a = affine_map<(m, n, k) -> (m, k)>
#bt = affine_map<(m, n, k) -> (n, k)>
#c = affine_map<(m, n, k) -> (m, n)>
// CHECK-LABEL: func.func @linear(
// CHECK: call @loom_rt_matmul_f32(%{{.*}}, %{{.*}}, %{{.*}}, %c1_i64, %c64_i64, %c256_i64, %c784_i64, %c0_i64, %c784_i64, %c1_i64, %c0_i64, %c1_i64, %c784_i64, %c0_i64, %c256_i64, %c1_i64)
// CHECK-NOT: linalg.generic
func.func @linear(%x: memref<64x784xf32>, %w: memref<256x784xf32>, %y: memref<64x256xf32>) {
  linalg.generic {indexing_maps = [#a, #bt, #c], iterator_types = ["parallel", "parallel", "reduction"], loom.matmul = {transposed_b = true}}
      ins(%x, %w : memref<64x784xf32>, memref<256x784xf32>) outs(%y : memref<64x256xf32>) {
  ^bb0(%p: f32, %q: f32, %acc: f32):
    %m = arith.mulf %p, %q fastmath<reassoc, contract> : f32
    %s = arith.addf %acc, %m fastmath<reassoc, contract> : f32
    linalg.yield %s : f32
  }
  return
}
// A matmul with 10 output columns (a classifier) stays loops.
// CHECK-LABEL: func.func @classifier(
// CHECK: linalg.generic
func.func @classifier(%x: memref<64x256xf32>, %w: memref<10x256xf32>, %y: memref<64x10xf32>) {
  linalg.generic {indexing_maps = [#a, #bt, #c], iterator_types = ["parallel", "parallel", "reduction"], loom.matmul = {transposed_b = true}}
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
