// -loom-vectorize-reductions: a reduction whose innermost loop is the reduction gets a reassoc accumulating add.
// RUN: %loom-opt %s -loom-vectorize-reductions | FileCheck %s

#x = affine_map<(c, w) -> (c, w)>
#c = affine_map<(c, w) -> (c)>
#t = affine_map<(w, c) -> (w, c)>
#tc = affine_map<(w, c) -> (c)>

// A per-row sum of squares: the accumulating add (not the multiply) is marked.
// CHECK-LABEL: func.func @rows(
// CHECK: arith.mulf %{{.*}}, %{{.*}} : f32
// CHECK: arith.addf %{{.*}}, %{{.*}} fastmath<reassoc> : f32
func.func @rows(%x: memref<8x32xf32>, %s: memref<8xf32>) {
  linalg.generic {indexing_maps = [#x, #c], iterator_types = ["parallel", "reduction"]} ins(%x : memref<8x32xf32>) outs(%s : memref<8xf32>) {
  ^bb0(%in: f32, %acc: f32):
    %sq = arith.mulf %in, %in : f32
    %0 = arith.addf %sq, %acc : f32
    linalg.yield %0 : f32
  }
  return
}

// The innermost loop is parallel (LLVM vectorizes it as it is) and a max is no
// add: both left alone.
// CHECK-LABEL: func.func @left_alone(
// CHECK-NOT: fastmath
func.func @left_alone(%x: memref<32x8xf32>, %s: memref<8xf32>, %m: memref<32xf32>) {
  linalg.generic {indexing_maps = [#t, #tc], iterator_types = ["reduction", "parallel"]} ins(%x : memref<32x8xf32>) outs(%s : memref<8xf32>) {
  ^bb0(%in: f32, %acc: f32):
    %0 = arith.addf %in, %acc : f32
    linalg.yield %0 : f32
  }
  linalg.generic {indexing_maps = [#x, #c], iterator_types = ["parallel", "reduction"]} ins(%x : memref<32x8xf32>) outs(%m : memref<32xf32>) {
  ^bb0(%in: f32, %acc: f32):
    %0 = arith.maximumf %in, %acc : f32
    linalg.yield %0 : f32
  }
  return
}

// A per-channel sum over [N, C, H, W] (batch norm's mean): the H and W loops
// become one loop over H x W contiguous elements.
// CHECK-LABEL: func.func @channels(
// CHECK: memref.collapse_shape %{{.*}} {{\[}}[0], [1], [2, 3]] : memref<2x4x8x8xf32> into memref<2x4x64xf32>
// CHECK: linalg.generic {{.*}}iterator_types = ["reduction", "parallel", "reduction"]
// CHECK: arith.addf %{{.*}}, %{{.*}} fastmath<reassoc> : f32
#n = affine_map<(n, c, h, w) -> (n, c, h, w)>
#nc = affine_map<(n, c, h, w) -> (c)>
func.func @channels(%x: memref<2x4x8x8xf32>, %s: memref<4xf32>) {
  linalg.generic {indexing_maps = [#n, #nc], iterator_types = ["reduction", "parallel", "reduction", "reduction"]} ins(%x : memref<2x4x8x8xf32>) outs(%s : memref<4xf32>) {
  ^bb0(%in: f32, %acc: f32):
    %0 = arith.addf %in, %acc : f32
    linalg.yield %0 : f32
  }
  return
}
