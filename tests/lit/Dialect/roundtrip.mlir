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
