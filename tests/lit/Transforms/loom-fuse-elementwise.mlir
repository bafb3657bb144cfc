// -loom-fuse-elementwise: upstream's elementwise fusion; keep-convolutions fuses nothing into a loom.conv;
// a broadcast read by several elementwise ops fuses into each.
// RUN: %loom-opt %s -loom-fuse-elementwise | FileCheck %s --check-prefix=FUSE
// RUN: %loom-opt %s -loom-fuse-elementwise=keep-convolutions | FileCheck %s --check-prefix=KEEP

#id = affine_map<(n, c, h, w) -> (n, c, h, w)>
#x = affine_map<(n, o, i, c, kh, kw, j) -> (n, c, i + kh, j + kw)>
#w = affine_map<(n, o, i, c, kh, kw, j) -> (o, c, kh, kw)>
#y = affine_map<(n, o, i, c, kh, kw, j) -> (n, o, i, j)>

// A relu producing the convolution's input, and a chain of two elementwise ops after it.
// Without keep-convolutions the relu is recomputed at every tap, and the fused op has lost its mark.
// FUSE-LABEL: func.func @f(
// FUSE: linalg.generic
// FUSE-NOT: loom.conv
// FUSE: arith.maximumf
// FUSE: arith.mulf
// FUSE: linalg.generic
// FUSE: arith.negf
// FUSE: math.exp
// FUSE-NOT: linalg.generic

// KEEP-LABEL: func.func @f(
// KEEP: linalg.generic
// KEEP: arith.maximumf
// KEEP: linalg.generic
// KEEP-SAME: loom.conv
// KEEP-NOT: arith.maximumf
// KEEP: linalg.generic
// KEEP: arith.negf
// KEEP: math.exp
// KEEP-NOT: linalg.generic
func.func @f(%x: tensor<1x16x6x6xf32>, %w: tensor<16x16x3x3xf32>) -> tensor<1x16x4x4xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x16x6x6xf32>
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%x : tensor<1x16x6x6xf32>) outs(%e : tensor<1x16x6x6xf32>) {
  ^bb0(%a: f32, %o: f32):
    %m = arith.maximumf %a, %zero : f32
    linalg.yield %m : f32
  } -> tensor<1x16x6x6xf32>
  %ye = tensor.empty() : tensor<1x16x4x4xf32>
  %init = linalg.fill ins(%zero : f32) outs(%ye : tensor<1x16x4x4xf32>) -> tensor<1x16x4x4xf32>
  %c = linalg.generic {indexing_maps = [#x, #w, #y], iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction", "reduction", "parallel"],
                       loom.conv = {kind = "forward", strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, groups = 1 : i64}}
      ins(%r, %w : tensor<1x16x6x6xf32>, tensor<16x16x3x3xf32>) outs(%init : tensor<1x16x4x4xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<1x16x4x4xf32>
  %n = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%c : tensor<1x16x4x4xf32>) outs(%ye : tensor<1x16x4x4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %m = arith.negf %a : f32
    linalg.yield %m : f32
  } -> tensor<1x16x4x4xf32>
  %out = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%n : tensor<1x16x4x4xf32>) outs(%ye : tensor<1x16x4x4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %m = math.exp %a : f32
    linalg.yield %m : f32
  } -> tensor<1x16x4x4xf32>
  return %out : tensor<1x16x4x4xf32>
}

// A per-channel vector broadcast to [2, 8] and read by two elementwise ops
// (as batch norm's 1/sigma by its forward and its backward): cloned for each,
// it fuses into both; no generic writes the broadcast out.
// FUSE-LABEL: func.func @shared_broadcast(
// FUSE-NOT: linalg.yield %in :
// FUSE: arith.mulf
// FUSE: linalg.generic
// FUSE: arith.addf
// FUSE-NOT: linalg.generic
// KEEP-LABEL: func.func @shared_broadcast(
// KEEP-NOT: linalg.yield %in :
// KEEP: arith.mulf
#bc = affine_map<(n, c) -> (c)>
#id2 = affine_map<(n, c) -> (n, c)>
func.func @shared_broadcast(%v: tensor<8xf32>, %x: tensor<2x8xf32>) -> (tensor<2x8xf32>, tensor<2x8xf32>) {
  %e = tensor.empty() : tensor<2x8xf32>
  %b = linalg.generic {indexing_maps = [#bc, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%v : tensor<8xf32>) outs(%e : tensor<2x8xf32>) {
  ^bb0(%a: f32, %o: f32):
    linalg.yield %a : f32
  } -> tensor<2x8xf32>
  %m = linalg.generic {indexing_maps = [#id2, #id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%x, %b : tensor<2x8xf32>, tensor<2x8xf32>) outs(%e : tensor<2x8xf32>) {
  ^bb0(%a: f32, %c: f32, %o: f32):
    %r = arith.mulf %a, %c : f32
    linalg.yield %r : f32
  } -> tensor<2x8xf32>
  %s = linalg.generic {indexing_maps = [#id2, #id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%x, %b : tensor<2x8xf32>, tensor<2x8xf32>) outs(%e : tensor<2x8xf32>) {
  ^bb0(%a: f32, %c: f32, %o: f32):
    %r = arith.addf %a, %c : f32
    linalg.yield %r : f32
  } -> tensor<2x8xf32>
  return %m, %s : tensor<2x8xf32>, tensor<2x8xf32>
}
