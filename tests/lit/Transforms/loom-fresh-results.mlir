// -loom-fresh-results: returned arguments and repeated results are copied.
// RUN: %loom-opt %s -loom-fresh-results | FileCheck %s

// CHECK-LABEL: func.func @f(%arg0: tensor<4xf32>)
func.func @f(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) {
  // CHECK: %[[E:.*]] = math.exp %arg0
  %0 = math.exp %x : tensor<4xf32>
  // CHECK: %[[A:.*]] = bufferization.alloc_tensor() copy(%arg0) : tensor<4xf32>
  // CHECK: %[[B:.*]] = bufferization.alloc_tensor() copy(%[[E]]) : tensor<4xf32>
  // CHECK: return %[[A]], %[[E]], %[[B]]
  return %x, %0, %0 : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
}

// Fresh results are left alone.
// CHECK-LABEL: func.func @g
func.func @g(%x: tensor<4xf32>) -> tensor<4xf32> {
  // CHECK-NOT: alloc_tensor
  %0 = math.exp %x : tensor<4xf32>
  return %0 : tensor<4xf32>
}
