// Each verifier rejects bad IR with a message that names the shapes.
// RUN: %loom-opt %s -split-input-file -verify-diagnostics

func.func @matmul_inner(%a: tensor<64x784xf32>, %b: tensor<256x10xf32>) {
  // expected-error @+1 {{inner dimensions differ: [64,784] x [256,10] -> [64,10]}}
  %0 = loom.matmul %a, %b : tensor<64x784xf32>, tensor<256x10xf32> -> tensor<64x10xf32>
  return
}

// -----

func.func @matmul_batch(%a: tensor<2x3x4xf32>, %b: tensor<3x4x5xf32>) {
  // expected-error @+1 {{batch dimensions differ}}
  %0 = loom.matmul %a, %b : tensor<2x3x4xf32>, tensor<3x4x5xf32> -> tensor<2x3x5xf32>
  return
}

// -----

func.func @matmul_rank(%a: tensor<3x4xf32>, %b: tensor<2x4x5xf32>) {
  // expected-error @+1 {{operands must both be 2-D or both 3-D}}
  %0 = loom.matmul %a, %b : tensor<3x4xf32>, tensor<2x4x5xf32> -> tensor<2x3x5xf32>
  return
}

// -----

func.func @matmul_result(%a: tensor<3x4xf32>, %b: tensor<4x5xf32>) {
  // expected-error @+1 {{result shape is wrong}}
  %0 = loom.matmul %a, %b : tensor<3x4xf32>, tensor<4x5xf32> -> tensor<3x4xf32>
  return
}

// -----

func.func @broadcast(%a: tensor<3xf32>) {
  // expected-error @+1 {{cannot broadcast [3] to [4,2]: dimension 0 is 3, not 1 or 2}}
  %0 = loom.broadcast_to %a : tensor<3xf32> -> tensor<4x2xf32>
  return
}

// -----

func.func @broadcast_rank(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{cannot broadcast [2,3] to lower rank [3]}}
  %0 = loom.broadcast_to %a : tensor<2x3xf32> -> tensor<3xf32>
  return
}

// -----

func.func @reshape(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{element count differs: [2,3] has 6, [7] has 7}}
  %0 = loom.reshape %a : tensor<2x3xf32> -> tensor<7xf32>
  return
}

// -----

func.func @transpose_perm(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{permutation [0,0] is not a permutation of 0..1}}
  %0 = loom.transpose %a permutation = [0, 0] : tensor<2x3xf32> -> tensor<2x3xf32>
  return
}

// -----

func.func @transpose_shape(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{result [2,3] is not [2,3] permuted by [1,0]}}
  %0 = loom.transpose %a permutation = [1, 0] : tensor<2x3xf32> -> tensor<2x3xf32>
  return
}

// -----

func.func @concat(%a: tensor<2x3xf32>, %b: tensor<3x3xf32>) {
  // expected-error @+1 {{input [2,3] differs from result [4,3] in dimension 0}}
  %0 = loom.concat %a, %b axis = 1 : tensor<2x3xf32>, tensor<3x3xf32> -> tensor<4x3xf32>
  return
}

// -----

func.func @concat_total(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{inputs add up to 6 along axis 1, result has 5}}
  %0 = loom.concat %a, %a axis = 1 : tensor<2x3xf32>, tensor<2x3xf32> -> tensor<2x5xf32>
  return
}

// -----

func.func @pad_mode(%a: tensor<4x8xf32>) {
  // expected-error @+1 {{expected string or keyword containing one of the following enum values for attribute 'mode' [zeros, reflect]}}
  %0 = loom.pad %a low = [1, 1] high = [1, 1] mode = edge : tensor<4x8xf32> -> tensor<6x10xf32>
  return
}

// -----

func.func @pad_shape(%a: tensor<4x8xf32>) {
  // expected-error @+1 {{dimension 1: 1 + 8 + 2 is not 10}}
  %0 = loom.pad %a low = [1, 1] high = [1, 2] mode = zeros : tensor<4x8xf32> -> tensor<6x10xf32>
  return
}

// -----

func.func @pad_reflect_large(%a: tensor<4x8xf32>) {
  // expected-error @+1 {{reflect padding 4/0 in dimension 0 needs more than 4 elements}}
  %0 = loom.pad %a low = [4, 0] high = [0, 0] mode = reflect : tensor<4x8xf32> -> tensor<8x8xf32>
  return
}

// -----

func.func @unpad_rank(%g: tensor<6x10xf32>) {
  // expected-error @+1 {{low, high and both shapes must have one rank}}
  %0 = loom.unpad %g low = [1] high = [1] mode = zeros : tensor<6x10xf32> -> tensor<4x8xf32>
  return
}

// -----

func.func @slice(%a: tensor<4x8xf32>) {
  // expected-error @+1 {{dimension 1: elements 6..8 lie outside [0,8)}}
  %0 = loom.slice %a starts = [0, 6] strides = [1, 1] : tensor<4x8xf32> -> tensor<4x3xf32>
  return
}

// -----

func.func @reduce_axes(%a: tensor<4x8xf32>) {
  // expected-error @+1 {{axes [1,0] must be sorted, distinct and below rank 2}}
  %0 = loom.reduce_sum %a axes = [1, 0] : tensor<4x8xf32> -> tensor<f32>
  return
}

// -----

func.func @reduce_result(%a: tensor<4x8xf32>) {
  // expected-error @+1 {{reducing [4,8] over [1] gives [4], not [8]}}
  %0 = loom.reduce_max %a axes = [1] : tensor<4x8xf32> -> tensor<8xf32>
  return
}

// -----

func.func @same_type(%a: tensor<4xf32>, %b: tensor<5xf32>) {
  // expected-error @+1 {{requires the same type for all operands and results}}
  %0 = "loom.add"(%a, %b) : (tensor<4xf32>, tensor<5xf32>) -> tensor<4xf32>
  return
}

// -----

func.func @float_only(%a: tensor<4xi32>) {
  // expected-error @+1 {{must be ranked tensor of 32-bit float values}}
  %0 = loom.exp %a : tensor<4xi32>
  return
}

// -----

func.func @compare_predicate(%a: tensor<4xf32>) {
  // expected-error @+1 {{expected string or keyword containing one of the following enum values for attribute 'predicate' [eq, ne, lt, le, gt, ge]}}
  %0 = loom.compare bigger %a, %a : tensor<4xf32> -> tensor<4xi1>
  return
}

// -----

func.func @select_shape(%c: tensor<3xi1>, %a: tensor<4xf32>) {
  // expected-error @+1 {{condition [3] differs from values [4]}}
  %0 = loom.select %c, %a, %a : tensor<3xi1>, tensor<4xf32>
  return
}

// -----

func.func @one_hot_shape(%l: tensor<4xi64>) {
  // expected-error @+1 {{labels [4] need a result of their shape plus a class axis, got [5,3]}}
  %0 = loom.one_hot %l : tensor<4xi64> -> tensor<5x3xf32>
  return
}

// -----

func.func @argmax_axis(%x: tensor<4x3xf32>) {
  // expected-error @+1 {{axis 2 out of range for [4,3]}}
  %0 = loom.argmax %x axis = 2 : tensor<4x3xf32> -> tensor<4xi64>
  return
}

// -----

func.func @insert_slice_range(%s: tensor<4x2xf32>, %d: tensor<4x3xf32>) {
  // expected-error @+1 {{dimension 1: elements 2..3 lie outside [0,3)}}
  %0 = loom.insert_slice %s into %d starts = [0, 2] strides = [1, 1] : tensor<4x2xf32> into tensor<4x3xf32>
  return
}

// -----

func.func @conv_channels(%x: tensor<2x4x9x9xf32>, %w: tensor<6x3x3x3xf32>) {
  // expected-error @+1 {{filter input channels times groups differ from the input's channels: input [2,4,9,9], filter [6,3,3,3], output [2,6,7,7], strides [1,1], dilations [1,1], groups 1}}
  %0 = loom.conv2d %x, %w strides = [1, 1] dilations = [1, 1] groups = 1 : tensor<2x4x9x9xf32>, tensor<6x3x3x3xf32> -> tensor<2x6x7x7xf32>
  return
}

// -----

func.func @conv_output(%x: tensor<2x4x9x9xf32>, %w: tensor<6x4x3x3xf32>) {
  // expected-error @+1 {{output should be [2,6,4,4]}}
  %0 = loom.conv2d %x, %w strides = [2, 2] dilations = [1, 1] groups = 1 : tensor<2x4x9x9xf32>, tensor<6x4x3x3xf32> -> tensor<2x6x7x7xf32>
  return
}

// -----

func.func @all_reduce_mixed(%t: tensor<4xf32>, %m: memref<4xf32>) {
  // expected-error @below {{'loom.all_reduce' op takes tensors or buffers, not both}}
  %r = loom.all_reduce %t, %m : tensor<4xf32>, memref<4xf32> -> tensor<4xf32>
  return
}
