// -loom-update-in-place: updates are materialised into their arguments, and
// shared tensor.empty ops are split so each destination has one user.
// RUN: %loom-opt %s -loom-update-in-place | FileCheck %s

// CHECK-LABEL: func.func @step
func.func @step(%w: tensor<4xf32> {loom.param = "w"}, %m: tensor<4xf32> {loom.state = "t.w.momentum_buffer"},
                %g: tensor<4xf32>) -> (tensor<f32> {loom.output = "loss"}, tensor<4xf32> {loom.update = "w"},
                                       tensor<4xf32> {loom.update = "t.w.momentum_buffer"}) {
  // CHECK: %[[E1:.*]] = tensor.empty() : tensor<4xf32>
  // CHECK: %[[E2:.*]] = tensor.empty() : tensor<4xf32>
  %e = tensor.empty() : tensor<4xf32>
  // CHECK: linalg.fill {{.*}} outs(%[[E1]]
  %z = arith.constant 0.0 : f32
  %zeros = linalg.fill ins(%z : f32) outs(%e : tensor<4xf32>) -> tensor<4xf32>
  // CHECK: linalg.add {{.*}} outs(%[[E2]]
  %new = linalg.add ins(%w, %g : tensor<4xf32>, tensor<4xf32>) outs(%e : tensor<4xf32>) -> tensor<4xf32>
  %loss = tensor.from_elements %z : tensor<f32>
  // CHECK: %[[W:.*]] = bufferization.materialize_in_destination %{{.*}} in %arg0
  // CHECK: %[[M:.*]] = bufferization.materialize_in_destination %{{.*}} in %arg1
  // CHECK: return %{{.*}}, %[[W]], %[[M]]
  return %loss, %new, %zeros : tensor<f32>, tensor<4xf32>, tensor<4xf32>
}
