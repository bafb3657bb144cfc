// -loom-fresh-inits: a fill that starts several ops' outputs is cloned for each of them.
// RUN: %loom-opt %s -loom-fresh-inits | FileCheck %s

// Two matmuls accumulate into one zero (as CSE leaves same-shape
// contractions); a third use reads it as an input and keeps the original.
// CHECK-LABEL: func.func @f(
// CHECK: %[[Z:.*]] = linalg.fill
// CHECK: %[[Z1:.*]] = linalg.fill
// CHECK: linalg.matmul {{.*}} outs(%[[Z1]] :
// CHECK: %[[Z2:.*]] = linalg.fill
// CHECK: linalg.matmul {{.*}} outs(%[[Z2]] :
// CHECK: linalg.add ins(%{{.*}}, %[[Z]] :
func.func @f(%a: tensor<4x4xf32>, %b: tensor<4x4xf32>) -> (tensor<4x4xf32>, tensor<4x4xf32>, tensor<4x4xf32>) {
  %cst = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x4xf32>
  %z = linalg.fill ins(%cst : f32) outs(%e : tensor<4x4xf32>) -> tensor<4x4xf32>
  %x = linalg.matmul ins(%a, %b : tensor<4x4xf32>, tensor<4x4xf32>) outs(%z : tensor<4x4xf32>) -> tensor<4x4xf32>
  %y = linalg.matmul ins(%b, %a : tensor<4x4xf32>, tensor<4x4xf32>) outs(%z : tensor<4x4xf32>) -> tensor<4x4xf32>
  %s = linalg.add ins(%a, %z : tensor<4x4xf32>, tensor<4x4xf32>) outs(%e : tensor<4x4xf32>) -> tensor<4x4xf32>
  return %x, %y, %s : tensor<4x4xf32>, tensor<4x4xf32>, tensor<4x4xf32>
}

// A fill with one use is left alone.
// CHECK-LABEL: func.func @single(
// CHECK-COUNT-1: linalg.fill
// CHECK-NOT: linalg.fill
func.func @single(%a: tensor<4x4xf32>) -> tensor<4x4xf32> {
  %cst = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x4xf32>
  %z = linalg.fill ins(%cst : f32) outs(%e : tensor<4x4xf32>) -> tensor<4x4xf32>
  %x = linalg.matmul ins(%a, %a : tensor<4x4xf32>, tensor<4x4xf32>) outs(%z : tensor<4x4xf32>) -> tensor<4x4xf32>
  return %x : tensor<4x4xf32>
}
