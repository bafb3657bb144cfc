// loom.all_reduce bufferizes in place (LoomDialect.cpp): its results are its
// operands' buffers, overwritten with the mean; a buffer that must keep its
// value (a constant) is copied first, by one-shot bufferization's analysis.
// RUN: %loom-opt %s -one-shot-bufferize="bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map" | FileCheck %s

// CHECK-LABEL: func.func @in_place
// CHECK-SAME: (%[[G:.*]]: memref<8xf32>) -> memref<8xf32>
// CHECK-NEXT: loom.all_reduce %[[G]] : memref<8xf32>
// CHECK-NEXT: return %[[G]]
func.func @in_place(%g: tensor<8xf32>) -> tensor<8xf32> {
  %r = loom.all_reduce %g : tensor<8xf32> -> tensor<8xf32>
  return %r : tensor<8xf32>
}

// CHECK-LABEL: func.func @constant
// CHECK: %[[C:.*]] = memref.get_global
// CHECK: %[[A:.*]] = memref.alloc
// CHECK: memref.copy %[[C]], %[[A]]
// CHECK: loom.all_reduce %[[A]] : memref<4xf32>
func.func @constant() -> tensor<4xf32> {
  %c = arith.constant dense<1.0> : tensor<4xf32>
  %r = loom.all_reduce %c : tensor<4xf32> -> tensor<4xf32>
  return %r : tensor<4xf32>
}
