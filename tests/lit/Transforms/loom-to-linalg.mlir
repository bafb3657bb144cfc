// -loom-to-linalg: each loom op becomes linalg/tensor/arith ops on tensors.
// RUN: %loom-opt %s -loom-to-linalg -split-input-file -mlir-print-local-scope | FileCheck %s

// CHECK-LABEL: func.func @unary
func.func @unary(%x: tensor<4x3xf32>) -> tensor<4x3xf32> {
  // CHECK: %[[E:.*]] = tensor.empty() : tensor<4x3xf32>
  // CHECK: linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%{{.*}} : tensor<4x3xf32>) outs(%[[E]] : tensor<4x3xf32>)
  // CHECK:   math.exp
  %0 = loom.exp %x : tensor<4x3xf32>
  // CHECK: linalg.generic
  // CHECK:   arith.maximumf %{{.*}}, %{{.*}} : f32
  %1 = loom.relu %0 : tensor<4x3xf32>
  // CHECK: linalg.generic
  // CHECK:   arith.negf
  // CHECK:   math.exp
  // CHECK:   arith.addf
  // CHECK:   arith.divf
  %2 = loom.sigmoid %1 : tensor<4x3xf32>
  // CHECK: linalg.generic
  // CHECK:   math.tanh
  %3 = loom.tanh %2 : tensor<4x3xf32>
  return %3 : tensor<4x3xf32>
}

// -----

// CHECK-LABEL: func.func @binary
func.func @binary(%a: tensor<4xf32>, %b: tensor<4xf32>, %i: tensor<4xi32>) -> (tensor<4xf32>, tensor<4xi32>) {
  // CHECK: linalg.generic {{.*}} ins(%{{.*}}, %{{.*}} : tensor<4xf32>, tensor<4xf32>)
  // CHECK:   arith.subf
  %0 = loom.sub %a, %b : tensor<4xf32>
  // CHECK:   arith.minimumf
  %1 = loom.minimum %0, %b : tensor<4xf32>
  // Integer tensors use integer arithmetic.
  // CHECK:   arith.divsi
  %2 = loom.div %i, %i : tensor<4xi32>
  // CHECK:   arith.maxsi
  %3 = loom.maximum %2, %i : tensor<4xi32>
  // CHECK:   arith.constant 0 : i32
  // CHECK:   arith.subi
  %4 = loom.neg %3 : tensor<4xi32>
  return %1, %4 : tensor<4xf32>, tensor<4xi32>
}

// -----

// CHECK-LABEL: func.func @broadcast
func.func @broadcast(%b: tensor<1x4xf32>) -> tensor<2x3x4xf32> {
  // Unit dimensions are collapsed away so the generic reads a projected permutation.
  // CHECK: %[[C:.*]] = tensor.collapse_shape %{{.*}} {{\[\[}}0, 1]] : tensor<1x4xf32> into tensor<4xf32>
  // CHECK: linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%[[C]] : tensor<4xf32>)
  %0 = loom.broadcast_to %b : tensor<1x4xf32> -> tensor<2x3x4xf32>
  return %0 : tensor<2x3x4xf32>
}

// -----

// CHECK-LABEL: func.func @transpose
func.func @transpose(%x: tensor<2x3x4xf32>) -> tensor<4x2x3xf32> {
  // CHECK: linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d1, d2, d0)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>]{{.*}} outs(%{{.*}} : tensor<4x2x3xf32>)
  %0 = loom.transpose %x permutation = [2, 0, 1] : tensor<2x3x4xf32> -> tensor<4x2x3xf32>
  return %0 : tensor<4x2x3xf32>
}

// -----

// CHECK-LABEL: func.func @reshape
func.func @reshape(%x: tensor<2x3x4xf32>) -> tensor<6x4xf32> {
  // CHECK: %[[F:.*]] = tensor.collapse_shape %{{.*}} {{\[\[}}0, 1, 2]] : tensor<2x3x4xf32> into tensor<24xf32>
  // CHECK: tensor.expand_shape %[[F]] {{\[\[}}0, 1]] output_shape [6, 4] : tensor<24xf32> into tensor<6x4xf32>
  %0 = loom.reshape %x : tensor<2x3x4xf32> -> tensor<6x4xf32>
  return %0 : tensor<6x4xf32>
}

// -----

// loom.pad: one generic over the result reading the input at the source index.
// CHECK-LABEL: func.func @pad_reflect
func.func @pad_reflect(%x: tensor<2x4xf32>) -> tensor<2x9xf32> {
  // CHECK: %[[X:[a-z0-9_]+]]: tensor<2x4xf32>
  // CHECK: linalg.generic {{.*}} outs(%{{.*}} : tensor<2x9xf32>)
  // CHECK: %[[I0:.*]] = linalg.index 0
  // CHECK: %[[I1:.*]] = linalg.index 1
  // CHECK: %[[J:.*]] = arith.subi %[[I1]], %c3
  // CHECK: arith.cmpi slt, %[[J]], %c0
  // CHECK: arith.cmpi sge, %{{.*}}, %c4
  // CHECK: %[[R:.*]] = arith.select
  // CHECK: tensor.extract %[[X]][%[[I0]], %[[R]]] : tensor<2x4xf32>
  %0 = loom.pad %x low = [0, 3] high = [0, 2] mode = reflect : tensor<2x4xf32> -> tensor<2x9xf32>
  return %0 : tensor<2x9xf32>
}

// CHECK-LABEL: func.func @pad_zeros
func.func @pad_zeros(%x: tensor<4xf32>) -> tensor<7xf32> {
  // CHECK: linalg.generic
  // CHECK: %[[IN:.*]] = arith.andi
  // CHECK: %[[V:.*]] = tensor.extract
  // CHECK: arith.select %[[IN]], %[[V]], %cst
  %0 = loom.pad %x low = [1] high = [2] mode = zeros : tensor<4xf32> -> tensor<7xf32>
  return %0 : tensor<7xf32>
}

// unpad with zeros is the slice; with reflect a sum over the element and its
// mirror images: 3 x 1 candidates here (dimension 0 is not padded).
// CHECK-LABEL: func.func @unpad
func.func @unpad(%g: tensor<2x9xf32>) -> (tensor<2x4xf32>, tensor<2x4xf32>) {
  // CHECK: tensor.extract_slice %{{.*}}[0, 3] [2, 4] [1, 1]
  %0 = loom.unpad %g low = [0, 3] high = [0, 2] mode = zeros : tensor<2x9xf32> -> tensor<2x4xf32>
  // CHECK: linalg.generic
  // CHECK-COUNT-3: tensor.extract %{{.*}} : tensor<2x9xf32>
  // CHECK-NOT: tensor.extract
  // CHECK: linalg.yield
  %1 = loom.unpad %g low = [0, 3] high = [0, 2] mode = reflect : tensor<2x9xf32> -> tensor<2x4xf32>
  return %0, %1 : tensor<2x4xf32>, tensor<2x4xf32>
}

// CHECK-LABEL: func.func @slice_concat
func.func @slice_concat(%x: tensor<4x8xf32>) -> tensor<4x11xf32> {
  // CHECK: %[[S:.*]] = tensor.extract_slice %{{.*}}[0, 2] [4, 3] [1, 2] : tensor<4x8xf32> to tensor<4x3xf32>
  %0 = loom.slice %x starts = [0, 2] strides = [1, 2] : tensor<4x8xf32> -> tensor<4x3xf32>
  // CHECK: %[[E:.*]] = tensor.empty() : tensor<4x11xf32>
  // CHECK: %[[I:.*]] = tensor.insert_slice %{{.*}} into %[[E]][0, 0] [4, 8] [1, 1]
  // CHECK: tensor.insert_slice %[[S]] into %[[I]][0, 8] [4, 3] [1, 1]
  %1 = loom.concat %x, %0 axis = 1 : tensor<4x8xf32>, tensor<4x3xf32> -> tensor<4x11xf32>
  return %1 : tensor<4x11xf32>
}

// -----

// CHECK-LABEL: func.func @matmul
func.func @matmul(%x: tensor<8x4xf32>, %w: tensor<5x4xf32>, %m: tensor<4x5xf32>,
                  %a: tensor<2x3x4xf32>, %b: tensor<2x4x5xf32>) -> (tensor<8x5xf32>, tensor<8x5xf32>, tensor<2x3x5xf32>) {
  // B as [K, N]: loops (m, k, n), the output column innermost.
  // CHECK: %[[Z:.*]] = arith.constant 0.000000e+00 : f32
  // CHECK: %[[F:.*]] = linalg.fill ins(%[[Z]] : f32) outs(%{{.*}} : tensor<8x5xf32>)
  // CHECK: linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d2)>], iterator_types = ["parallel", "reduction", "parallel"]} ins(%arg0, %arg2 : tensor<8x4xf32>, tensor<4x5xf32>) outs(%[[F]] : tensor<8x5xf32>)
  // The multiply-add may be reassociated and contracted (vectorizable reductions, FMA).
  // CHECK:   arith.mulf %{{.*}}, %{{.*}} fastmath<reassoc,contract> : f32
  // CHECK:   arith.addf %{{.*}}, %{{.*}} fastmath<reassoc,contract> : f32
  %0 = loom.matmul %x, %m : tensor<8x4xf32>, tensor<4x5xf32> -> tensor<8x5xf32>
  // x @ transpose(w) reads w in place: loops (m, n, k), the dot product innermost.
  // CHECK: linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%arg0, %arg1 : tensor<8x4xf32>, tensor<5x4xf32>)
  %t = loom.transpose %w permutation = [1, 0] : tensor<5x4xf32> -> tensor<4x5xf32>
  %1 = loom.matmul %x, %t : tensor<8x4xf32>, tensor<4x5xf32> -> tensor<8x5xf32>
  // Batched: the batch is the outermost loop.
  // CHECK: linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>, affine_map<(d0, d1, d2, d3) -> (d0, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d3)>], iterator_types = ["parallel", "parallel", "reduction", "parallel"]} ins(%arg3, %arg4 : tensor<2x3x4xf32>, tensor<2x4x5xf32>)
  %2 = loom.matmul %a, %b : tensor<2x3x4xf32>, tensor<2x4x5xf32> -> tensor<2x3x5xf32>
  return %0, %1, %2 : tensor<8x5xf32>, tensor<8x5xf32>, tensor<2x3x5xf32>
}

// -----

// CHECK-LABEL: func.func @reductions
func.func @reductions(%x: tensor<4x8xf32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<f32>) {
  // CHECK: linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]}
  // CHECK:   arith.addf
  %0 = loom.reduce_sum %x axes = [1] : tensor<4x8xf32> -> tensor<4xf32>
  // max starts from -inf and propagates NaN.
  // CHECK: arith.constant 0xFF800000 : f32
  // CHECK: linalg.generic
  // CHECK:   arith.maximumf
  %1 = loom.reduce_max %x axes = [1] : tensor<4x8xf32> -> tensor<4xf32>
  // mean = sum / count.
  // CHECK: linalg.generic {{.*}} iterator_types = ["reduction", "reduction"]
  // CHECK:   arith.addf
  // CHECK: linalg.generic
  // CHECK:   arith.constant 3.200000e+01 : f32
  // CHECK:   arith.divf
  %2 = loom.reduce_mean %x axes = [0, 1] : tensor<4x8xf32> -> tensor<f32>
  return %0, %1, %2 : tensor<4xf32>, tensor<4xf32>, tensor<f32>
}

// -----

// CHECK-LABEL: func.func @constant
func.func @constant() -> tensor<2xf32> {
  // CHECK: arith.constant dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf32>
  %0 = loom.constant dense<[1.0, 2.0]> : tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// CHECK-LABEL: func.func @masks
func.func @masks(%x: tensor<4xf32>, %y: tensor<4xf32>, %i: tensor<4xi64>) -> (tensor<4xf32>, tensor<4xi32>, tensor<4xf32>) {
  // CHECK: linalg.generic
  // CHECK:   arith.cmpf ogt
  %m = loom.compare gt %x, %y : tensor<4xf32> -> tensor<4xi1>
  // CHECK: linalg.generic
  // CHECK:   arith.select
  %s = loom.select %m, %x, %y : tensor<4xi1>, tensor<4xf32>
  // CHECK:   arith.cmpi ne
  %n = loom.compare ne %i, %i : tensor<4xi64> -> tensor<4xi1>
  // i1 converts unsigned (true is 1), other integers signed.
  // CHECK:   arith.extui %{{.*}} : i1 to i32
  %c = loom.cast %n : tensor<4xi1> -> tensor<4xi32>
  // CHECK:   arith.sitofp %{{.*}} : i64 to f32
  %f = loom.cast %i : tensor<4xi64> -> tensor<4xf32>
  // stop_gradient is the identity.
  // CHECK-NOT: stop_gradient
  %g = loom.stop_gradient %f : tensor<4xf32>
  return %s, %c, %g : tensor<4xf32>, tensor<4xi32>, tensor<4xf32>
}

// -----

// CHECK-LABEL: func.func @one_hot_argmax
func.func @one_hot_argmax(%l: tensor<5xi64>, %x: tensor<5x3xf32>) -> (tensor<5x3xf32>, tensor<5xi64>) {
  // CHECK: linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0)>, affine_map<(d0, d1) -> (d0, d1)>]
  // CHECK:   %[[C:.*]] = linalg.index 1 : index
  // CHECK:   arith.cmpi eq, %[[C]]
  // CHECK:   arith.uitofp
  %h = loom.one_hot %l : tensor<5xi64> -> tensor<5x3xf32>
  // argmax carries (value, index) through one reduction; strict > keeps the first maximum.
  // CHECK: arith.constant 0xFF800000 : f32
  // CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]} ins(%{{.*}} : tensor<5x3xf32>) outs(%{{.*}}, %{{.*}} : tensor<5xf32>, tensor<5xi64>)
  // CHECK:   arith.cmpf ogt
  // CHECK:   arith.select
  // CHECK:   arith.select
  %a = loom.argmax %x axis = 1 : tensor<5x3xf32> -> tensor<5xi64>
  return %h, %a : tensor<5x3xf32>, tensor<5xi64>
}

// -----

// Philox 4x32-10: ten rounds of two 32x32->64-bit products, then 24 bits to [0, 1).
// CHECK-LABEL: func.func @random
func.func @random(%seed: tensor<i64>, %step: tensor<i64>) -> tensor<2x3xf32> {
  // CHECK: linalg.generic {indexing_maps = [affine_map<(d0, d1) -> ()>, affine_map<(d0, d1) -> ()>, affine_map<(d0, d1) -> (d0, d1)>]
  // CHECK-COUNT-20: arith.muli %c{{.*}}_i64
  // CHECK: arith.shrui %{{.*}}, %c8_i32
  // CHECK: arith.uitofp
  // CHECK: arith.mulf %{{.*}}, %cst
  %u = loom.random_uniform %seed, %step stream = 3 : tensor<i64>, tensor<i64> -> tensor<2x3xf32>
  return %u : tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func.func @insert
func.func @insert(%s: tensor<4x2xf32>, %d: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // CHECK: tensor.insert_slice %arg0 into %arg1[0, 1] [4, 2] [1, 3]
  %r = loom.insert_slice %s into %d starts = [0, 1] strides = [1, 3] : tensor<4x2xf32> into tensor<4x8xf32>
  return %r : tensor<4x8xf32>
}

// -----

// Convolutions are contractions over (c, kh, kw); strides and dilations enter
// the input's indexing map, groups as floordiv of the output channel.
// CHECK-LABEL: func.func @conv
func.func @conv(%x: tensor<2x4x9x9xf32>, %w: tensor<6x2x3x3xf32>, %dy: tensor<2x6x3x3xf32>)
    -> (tensor<2x6x3x3xf32>, tensor<6x2x3x3xf32>, tensor<2x4x9x9xf32>) {
  // Loops (n, o, i | c, kh, kw | j): the output column innermost, so a row of
  // outputs accumulates in independent registers (not one serial chain).
  // CHECK: linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, (d1 floordiv 3) * 2 + d3, d2 * 2 + d4 * 2, d6 * 2 + d5 * 2)>, affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d1, d3, d4, d5)>, affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1, d2, d6)>], iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction", "reduction", "parallel"]}
  // CHECK:   arith.mulf
  // CHECK:   arith.addf
  %y = loom.conv2d %x, %w strides = [2, 2] dilations = [2, 2] groups = 2 : tensor<2x4x9x9xf32>, tensor<6x2x3x3xf32> -> tensor<2x6x3x3xf32>
  // The filter gradient: loops (o, c, kh | n, i, j | kw), kw innermost (parallel).
  // CHECK: linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d3, (d0 floordiv 3) * 2 + d1, d4 * 2 + d2 * 2, d5 * 2 + d6 * 2)>, affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d3, d0, d4, d5)>, affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1, d2, d6)>], iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction", "reduction", "parallel"]}
  %dw = loom.conv2d_filter_grad %x, %dy strides = [2, 2] dilations = [2, 2] groups = 2 : tensor<2x4x9x9xf32>, tensor<2x6x3x3xf32> -> tensor<6x2x3x3xf32>
  // The input gradient spreads dy by the strides into a padded buffer, then
  // contracts over (oo, kh, kw); an [Og] operand gives oo its range.
  // CHECK: tensor.insert_slice %arg2 into %{{.*}}[0, 0, 4, 4] [2, 6, 3, 3] [1, 1, 2, 2] : tensor<2x6x3x3xf32> into tensor<2x6x13x13xf32>
  // Loops (n, ci, p | oo, kh, kw | q), q innermost as in the forward pass.
  // CHECK: linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, (d1 floordiv 2) * 3 + d3, d2 + (-d4 + 2) * 2, d6 + (-d5 + 2) * 2)>, affine_map<(d0, d1, d2, d3, d4, d5, d6) -> ((d1 floordiv 2) * 3 + d3, d1 mod 2, d4, d5)>, affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d3)>, affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1, d2, d6)>], iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction", "reduction", "parallel"]}
  %dx = loom.conv2d_input_grad %dy, %w strides = [2, 2] dilations = [2, 2] groups = 2 : tensor<2x6x3x3xf32>, tensor<6x2x3x3xf32> -> tensor<2x4x9x9xf32>
  return %y, %dw, %dx : tensor<2x6x3x3xf32>, tensor<6x2x3x3xf32>, tensor<2x4x9x9xf32>
}

// -----

// Each convolution's mark names it, and x's border where a zero loom.pad made
// it (forward, filter gradient) or a zero loom.unpad drops its gradient (the
// input gradient); a reflection pad's border is neither.
// CHECK-LABEL: func.func @conv_borders
func.func @conv_borders(%x: tensor<2x4x6x6xf32>, %w: tensor<8x4x3x3xf32>, %dy: tensor<2x8x6x6xf32>)
    -> (tensor<2x8x6x6xf32>, tensor<8x4x3x3xf32>, tensor<2x4x6x6xf32>, tensor<2x8x6x6xf32>) {
  %p = loom.pad %x low = [0, 0, 1, 2] high = [0, 0, 1, 0] mode = zeros : tensor<2x4x6x6xf32> -> tensor<2x4x8x8xf32>
  // CHECK: loom.conv = {border = array<i64: 1, 2, 1, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64, kind = "forward", strides = array<i64: 1, 1>}
  %y = loom.conv2d %p, %w strides = [1, 1] dilations = [1, 1] groups = 1 : tensor<2x4x8x8xf32>, tensor<8x4x3x3xf32> -> tensor<2x8x6x6xf32>
  // CHECK: loom.conv = {border = array<i64: 1, 2, 1, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64, kind = "filter_grad", strides = array<i64: 1, 1>}
  %dw = loom.conv2d_filter_grad %p, %dy strides = [1, 1] dilations = [1, 1] groups = 1 : tensor<2x4x8x8xf32>, tensor<2x8x6x6xf32> -> tensor<8x4x3x3xf32>
  // CHECK: loom.conv = {border = array<i64: 1, 2, 1, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64, kind = "input_grad", strides = array<i64: 1, 1>}
  %dp = loom.conv2d_input_grad %dy, %w strides = [1, 1] dilations = [1, 1] groups = 1 : tensor<2x8x6x6xf32>, tensor<8x4x3x3xf32> -> tensor<2x4x8x8xf32>
  %dx = loom.unpad %dp low = [0, 0, 1, 2] high = [0, 0, 1, 0] mode = zeros : tensor<2x4x8x8xf32> -> tensor<2x4x6x6xf32>
  %r = loom.pad %x low = [0, 0, 1, 1] high = [0, 0, 1, 1] mode = reflect : tensor<2x4x6x6xf32> -> tensor<2x4x8x8xf32>
  // CHECK: loom.conv = {dilations = array<i64: 1, 1>, groups = 1 : i64, kind = "forward", strides = array<i64: 1, 1>}
  %yr = loom.conv2d %r, %w strides = [1, 1] dilations = [1, 1] groups = 1 : tensor<2x4x8x8xf32>, tensor<8x4x3x3xf32> -> tensor<2x8x6x6xf32>
  return %y, %dw, %dx, %yr : tensor<2x8x6x6xf32>, tensor<8x4x3x3xf32>, tensor<2x4x6x6xf32>, tensor<2x8x6x6xf32>
}
