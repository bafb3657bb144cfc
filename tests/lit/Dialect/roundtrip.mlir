// Every loom op parses, verifies and prints back to the same text.
// RUN: %loom-opt %s | %loom-opt | FileCheck %s

// CHECK-LABEL: func.func @elementwise
func.func @elementwise(%a: tensor<4x3xf32>, %b: tensor<4x3xf32>, %i: tensor<4xi32>) -> tensor<4x3xf32> {
  // CHECK: loom.constant dense<2.000000e+00> : tensor<4x3xf32>
  %c = loom.constant dense<2.0> : tensor<4x3xf32>
  // CHECK: loom.add %{{.*}}, %{{.*}} : tensor<4x3xf32>
  %0 = loom.add %a, %b : tensor<4x3xf32>
  // CHECK: loom.sub
  %1 = loom.sub %0, %c : tensor<4x3xf32>
  // CHECK: loom.mul
  %2 = loom.mul %1, %b : tensor<4x3xf32>
  // CHECK: loom.div
  %3 = loom.div %2, %c : tensor<4x3xf32>
  // CHECK: loom.maximum
  %4 = loom.maximum %3, %a : tensor<4x3xf32>
  // CHECK: loom.minimum
  %5 = loom.minimum %4, %b : tensor<4x3xf32>
  // CHECK: loom.neg
  %6 = loom.neg %5 : tensor<4x3xf32>
  // CHECK: loom.exp
  %7 = loom.exp %6 : tensor<4x3xf32>
  // CHECK: loom.log
  %8 = loom.log %7 : tensor<4x3xf32>
  // CHECK: loom.sqrt
  %9 = loom.sqrt %8 : tensor<4x3xf32>
  // CHECK: loom.tanh
  %10 = loom.tanh %9 : tensor<4x3xf32>
  // CHECK: loom.sigmoid
  %11 = loom.sigmoid %10 : tensor<4x3xf32>
  // CHECK: loom.relu
  %12 = loom.relu %11 : tensor<4x3xf32>
  // CHECK: loom.add %{{.*}} : tensor<4xi32>
  %13 = loom.add %i, %i : tensor<4xi32>
  return %12 : tensor<4x3xf32>
}

// CHECK-LABEL: func.func @shapes
func.func @shapes(%x: tensor<2x3x4xf32>, %b: tensor<4xf32>, %m: tensor<4x5xf32>) -> tensor<2x3xf32> {
  // CHECK: loom.broadcast_to %{{.*}} : tensor<4xf32> -> tensor<2x3x4xf32>
  %0 = loom.broadcast_to %b : tensor<4xf32> -> tensor<2x3x4xf32>
  // CHECK: loom.reshape %{{.*}} : tensor<2x3x4xf32> -> tensor<6x4xf32>
  %1 = loom.reshape %x : tensor<2x3x4xf32> -> tensor<6x4xf32>
  // CHECK: loom.transpose %{{.*}} permutation = [2, 0, 1] : tensor<2x3x4xf32> -> tensor<4x2x3xf32>
  %2 = loom.transpose %x permutation = [2, 0, 1] : tensor<2x3x4xf32> -> tensor<4x2x3xf32>
  // CHECK: loom.concat %{{.*}}, %{{.*}} axis = 0 : tensor<6x4xf32>, tensor<6x4xf32> -> tensor<12x4xf32>
  %3 = loom.concat %1, %1 axis = 0 : tensor<6x4xf32>, tensor<6x4xf32> -> tensor<12x4xf32>
  // CHECK: loom.slice %{{.*}} starts = [1, 0] strides = [2, 1] : tensor<12x4xf32> -> tensor<5x4xf32>
  %4 = loom.slice %3 starts = [1, 0] strides = [2, 1] : tensor<12x4xf32> -> tensor<5x4xf32>
  // CHECK: loom.matmul %{{.*}}, %{{.*}} : tensor<5x4xf32>, tensor<4x5xf32> -> tensor<5x5xf32>
  %5 = loom.matmul %4, %m : tensor<5x4xf32>, tensor<4x5xf32> -> tensor<5x5xf32>
  // CHECK: loom.reduce_sum %{{.*}} axes = [2] : tensor<2x3x4xf32> -> tensor<2x3xf32>
  %6 = loom.reduce_sum %0 axes = [2] : tensor<2x3x4xf32> -> tensor<2x3xf32>
  // CHECK: loom.reduce_mean %{{.*}} axes = [0, 1] : tensor<5x5xf32> -> tensor<f32>
  %7 = loom.reduce_mean %5 axes = [0, 1] : tensor<5x5xf32> -> tensor<f32>
  // CHECK: loom.reduce_max %{{.*}} axes = [1] : tensor<2x3x4xf32> -> tensor<2x4xf32>
  %8 = loom.reduce_max %x axes = [1] : tensor<2x3x4xf32> -> tensor<2x4xf32>
  return %6 : tensor<2x3xf32>
}

// CHECK-LABEL: func.func @batched
func.func @batched(%a: tensor<2x3x4xf32>, %b: tensor<2x4x5xf32>) -> tensor<2x3x5xf32> {
  // CHECK: loom.matmul %{{.*}}, %{{.*}} : tensor<2x3x4xf32>, tensor<2x4x5xf32> -> tensor<2x3x5xf32>
  %0 = loom.matmul %a, %b : tensor<2x3x4xf32>, tensor<2x4x5xf32> -> tensor<2x3x5xf32>
  return %0 : tensor<2x3x5xf32>
}

// CHECK-LABEL: func.func @training_ops
func.func @training_ops(%x: tensor<4x3xf32>, %l: tensor<4xi64>, %seed: tensor<i64>, %step: tensor<i64>) -> tensor<4x3xf32> {
  // CHECK: loom.compare gt %{{.*}}, %{{.*}} : tensor<4x3xf32> -> tensor<4x3xi1>
  %m = loom.compare gt %x, %x : tensor<4x3xf32> -> tensor<4x3xi1>
  // CHECK: loom.select %{{.*}}, %{{.*}}, %{{.*}} : tensor<4x3xi1>, tensor<4x3xf32>
  %s = loom.select %m, %x, %x : tensor<4x3xi1>, tensor<4x3xf32>
  // CHECK: loom.cast %{{.*}} : tensor<4xi64> -> tensor<4xf32>
  %c = loom.cast %l : tensor<4xi64> -> tensor<4xf32>
  // CHECK: loom.stop_gradient %{{.*}} : tensor<4x3xf32>
  %g = loom.stop_gradient %s : tensor<4x3xf32>
  // CHECK: loom.one_hot %{{.*}} : tensor<4xi64> -> tensor<4x3xf32>
  %h = loom.one_hot %l : tensor<4xi64> -> tensor<4x3xf32>
  // CHECK: loom.argmax %{{.*}} axis = 1 : tensor<4x3xf32> -> tensor<4xi64>
  %a = loom.argmax %x axis = 1 : tensor<4x3xf32> -> tensor<4xi64>
  // CHECK: loom.random_uniform %{{.*}}, %{{.*}} stream = 2 : tensor<i64>, tensor<i64> -> tensor<4x3xf32>
  %u = loom.random_uniform %seed, %step stream = 2 : tensor<i64>, tensor<i64> -> tensor<4x3xf32>
  // CHECK: loom.insert_slice %{{.*}} into %{{.*}} starts = [0, 1] strides = [1, 1] : tensor<4x2xf32> into tensor<4x3xf32>
  %p = loom.slice %x starts = [0, 0] strides = [1, 1] : tensor<4x3xf32> -> tensor<4x2xf32>
  %i = loom.insert_slice %p into %x starts = [0, 1] strides = [1, 1] : tensor<4x2xf32> into tensor<4x3xf32>
  return %g : tensor<4x3xf32>
}

// CHECK-LABEL: func.func @pad
func.func @pad(%x: tensor<2x1x4x5xf32>) -> tensor<2x1x4x5xf32> {
  // CHECK: loom.pad %{{.*}} low = [0, 0, 3, 1] high = [0, 0, 2, 0] mode = reflect : tensor<2x1x4x5xf32> -> tensor<2x1x9x6xf32>
  %p = loom.pad %x low = [0, 0, 3, 1] high = [0, 0, 2, 0] mode = reflect : tensor<2x1x4x5xf32> -> tensor<2x1x9x6xf32>
  // CHECK: loom.unpad %{{.*}} low = [0, 0, 3, 1] high = [0, 0, 2, 0] mode = reflect : tensor<2x1x9x6xf32> -> tensor<2x1x4x5xf32>
  %u = loom.unpad %p low = [0, 0, 3, 1] high = [0, 0, 2, 0] mode = reflect : tensor<2x1x9x6xf32> -> tensor<2x1x4x5xf32>
  return %u : tensor<2x1x4x5xf32>
}

// CHECK-LABEL: func.func @conv
func.func @conv(%x: tensor<2x4x9x9xf32>, %w: tensor<6x2x3x3xf32>) -> tensor<2x6x3x3xf32> {
  // CHECK: loom.conv2d %{{.*}}, %{{.*}} strides = [2, 2] dilations = [2, 2] groups = 2 : tensor<2x4x9x9xf32>, tensor<6x2x3x3xf32> -> tensor<2x6x3x3xf32>
  %y = loom.conv2d %x, %w strides = [2, 2] dilations = [2, 2] groups = 2 : tensor<2x4x9x9xf32>, tensor<6x2x3x3xf32> -> tensor<2x6x3x3xf32>
  return %y : tensor<2x6x3x3xf32>
}

// CHECK-LABEL: func.func @all_reduce
func.func @all_reduce(%a: tensor<16x8xf32>, %b: tensor<16xf32>, %m: memref<4xf32>) -> (tensor<16x8xf32>, tensor<16xf32>) {
  // CHECK: %{{.*}}:2 = loom.all_reduce %{{.*}}, %{{.*}} : tensor<16x8xf32>, tensor<16xf32> -> tensor<16x8xf32>, tensor<16xf32>
  %r:2 = loom.all_reduce %a, %b : tensor<16x8xf32>, tensor<16xf32> -> tensor<16x8xf32>, tensor<16xf32>
  // CHECK: loom.all_reduce %{{.*}} : memref<4xf32>
  loom.all_reduce %m : memref<4xf32>
  return %r#0, %r#1 : tensor<16x8xf32>, tensor<16xf32>
}
