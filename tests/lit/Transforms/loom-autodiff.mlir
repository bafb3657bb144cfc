// -loom-autodiff: backward pass from each op's VJP, and the optimizer update.
// RUN: %loom-opt %s -loom-autodiff -split-input-file -verify-diagnostics | FileCheck %s
// RUN: %loom-opt %s -loom-autodiff -split-input-file -verify-diagnostics -mlir-print-debuginfo -mlir-print-local-scope | FileCheck %s --check-prefix=LOC

// A gradient export: d/dw and d/dx of sum(x * w * x). x is used twice: its
// gradients are summed.
// CHECK-LABEL: func.func @grad
// CHECK-SAME: -> (tensor<f32> {loom.output = "loss"}, tensor<3xf32> {loom.output = "grad_w"}, tensor<3xf32> {loom.output = "grad_x"})
func.func @grad(%w: tensor<3xf32> {loom.param = "w"}, %x: tensor<3xf32> {loom.input = "x"},
                %step: tensor<i64> {loom.input = "step"}, %seed: tensor<i64> {loom.input = "seed"})
    -> (tensor<f32> {loom.output = "loss"}) attributes {loom.grad, loom.export = "grad"} {
  // CHECK: %[[XW:.*]] = loom.mul %arg1, %arg0
  %0 = loom.mul %x, %w : tensor<3xf32>
  %1 = loom.mul %0, %x : tensor<3xf32>
  // CHECK: %[[L:.*]] = loom.reduce_sum
  %2 = loom.reduce_sum %1 axes = [0] : tensor<3xf32> -> tensor<f32>
  // The seed of the backward pass, spread over the summed axis.
  // CHECK: %[[ONE:.*]] = loom.constant dense<1.000000e+00> : tensor<f32>
  // CHECK: %[[G:.*]] = loom.broadcast_to {{.*}} -> tensor<3xf32>
  // CHECK: %[[GX1:.*]] = loom.mul %[[G]], %arg1
  // CHECK: %[[GX2:.*]] = loom.mul %[[G]], %[[XW]]
  // CHECK: %[[GW:.*]] = loom.mul %[[GX1]], %arg0
  // CHECK: %[[DW:.*]] = loom.mul %[[GX1]], %arg1
  // CHECK: %[[DX:.*]] = loom.add %[[GX2]], %[[GW]]
  // CHECK: return %[[L]], %[[DW]], %[[DX]]
  return %2 : tensor<f32>
}

// -----

// A train step with plain SGD: w - lr * dw, written back through loom.update;
// the frozen parameter gets neither gradient nor update.
// CHECK-LABEL: func.func @sgd
// CHECK-SAME: -> (tensor<f32> {loom.output = "loss"}, tensor<2xf32> {loom.update = "w"})
func.func @sgd(%w: tensor<2xf32> {loom.param = "w"}, %f: tensor<2xf32> {loom.param = "f", loom.frozen},
               %x: tensor<2xf32> {loom.input = "x"}, %lr: tensor<f32> {loom.input = "lr"},
               %step: tensor<i64> {loom.input = "step"}, %seed: tensor<i64> {loom.input = "seed"})
    -> (tensor<f32> {loom.output = "loss"}) attributes {loom.export = "sgd",
        loom.train = {optimizer = "sgd", momentum = 0.0 : f64, dampening = 0.0 : f64, nesterov = false,
                      weight_decay = 0.0 : f64, beta1 = 0.9 : f64, beta2 = 0.999 : f64, eps = 1.0e-8 : f64}} {
  %0 = loom.mul %x, %w : tensor<2xf32>
  %1 = loom.mul %0, %f : tensor<2xf32>
  %2 = loom.reduce_sum %1 axes = [0] : tensor<2xf32> -> tensor<f32>
  // CHECK: %[[DW:.*]] = loom.mul %{{.*}}, %arg2 : tensor<2xf32>
  // CHECK: %[[LR:.*]] = loom.broadcast_to %arg3 : tensor<f32> -> tensor<2xf32>
  // CHECK: %[[STEP:.*]] = loom.mul %[[LR]], %[[DW]]
  // CHECK: %[[NEW:.*]] = loom.sub %arg0, %[[STEP]]
  // CHECK: return %{{.*}}, %[[NEW]]
  return %2 : tensor<f32>
}

// -----

// Adam reads its state arguments and returns their new values too.
// CHECK-LABEL: func.func @adam
// CHECK-SAME: -> (tensor<f32> {loom.output = "loss"}, tensor<2xf32> {loom.update = "w"}, tensor<2xf32> {loom.update = "adam.w.exp_avg"}, tensor<2xf32> {loom.update = "adam.w.exp_avg_sq"})
func.func @adam(%w: tensor<2xf32> {loom.param = "w"}, %m: tensor<2xf32> {loom.state = "adam.w.exp_avg"},
                %v: tensor<2xf32> {loom.state = "adam.w.exp_avg_sq"}, %x: tensor<2xf32> {loom.input = "x"},
                %lr: tensor<f32> {loom.input = "lr"}, %step: tensor<i64> {loom.input = "step"},
                %seed: tensor<i64> {loom.input = "seed"})
    -> (tensor<f32> {loom.output = "loss"}) attributes {loom.export = "adam",
        loom.train = {optimizer = "adam", momentum = 0.0 : f64, dampening = 0.0 : f64, nesterov = false,
                      weight_decay = 0.0 : f64, beta1 = 0.9 : f64, beta2 = 0.999 : f64, eps = 1.0e-8 : f64}} {
  %0 = loom.mul %x, %w : tensor<2xf32>
  %1 = loom.reduce_sum %0 axes = [0] : tensor<2xf32> -> tensor<f32>
  // The step count enters as f32 for the bias corrections 1 - beta^step,
  // computed as -expm1(step * log(beta)) = -(u - 1) * x / log(u), u = exp(x),
  // with x where u - 1 = 0 and -1 where u underflows.
  // CHECK: loom.cast %arg5 : tensor<i64> -> tensor<f32>
  // CHECK: loom.mul %{{.*}}, %arg1
  // CHECK: loom.mul %{{.*}}, %arg2
  // CHECK: %[[X:.*]] = loom.mul %{{.*}}, %{{.*}} : tensor<f32>
  // CHECK: %[[U:.*]] = loom.exp %[[X]]
  // CHECK: %[[UM1:.*]] = loom.sub %[[U]], %{{.*}} : tensor<f32>
  // CHECK: %[[NUM:.*]] = loom.mul %[[UM1]], %[[X]]
  // CHECK: %[[LOG:.*]] = loom.log %[[U]]
  // CHECK: %[[K:.*]] = loom.div %[[NUM]], %[[LOG]]
  // CHECK: %[[UNDER:.*]] = loom.compare "eq" %[[UM1]]
  // CHECK: %[[E:.*]] = loom.select %[[UNDER]], %[[UM1]], %[[K]]
  // CHECK: %[[ZERO:.*]] = loom.compare "eq" %[[UM1]]
  // CHECK: %[[E2:.*]] = loom.select %[[ZERO]], %[[X]], %[[E]]
  // CHECK: loom.neg %[[E2]]
  // CHECK: loom.sqrt
  // CHECK: return %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} : tensor<f32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>
  return %1 : tensor<f32>
}

// -----

// pad's gradient is unpad with the same attributes (and the other way round).
// CHECK-LABEL: func.func @pad
// CHECK-SAME: tensor<4xf32> {loom.output = "grad_x"}
// CHECK: loom.pad %arg0 low = [2] high = [1] mode = "reflect"
// CHECK: %[[D:.*]] = loom.unpad %{{.*}} low = [2] high = [1] mode = "reflect" : tensor<7xf32> -> tensor<4xf32>
// CHECK: return %{{.*}}, %[[D]]
func.func @pad(%x: tensor<4xf32> {loom.input = "x"}, %step: tensor<i64> {loom.input = "step"},
               %seed: tensor<i64> {loom.input = "seed"})
    -> (tensor<f32> {loom.output = "loss"}) attributes {loom.grad, loom.export = "pad"} {
  %p = loom.pad %x low = [2] high = [1] mode = "reflect" : tensor<4xf32> -> tensor<7xf32>
  %s = loom.reduce_sum %p axes = [0] : tensor<7xf32> -> tensor<f32>
  return %s : tensor<f32>
}

// -----

// expected-error @+1 {{a train step or gradient export needs a result named 'loss'}}
func.func @no_loss(%w: tensor<2xf32> {loom.param = "w"}) -> (tensor<2xf32> {loom.output = "y"}) attributes {loom.grad} {
  return %w : tensor<2xf32>
}

// -----

// expected-error @+1 {{the loss must be an f32 scalar, got 'tensor<2xf32>'}}
func.func @vector_loss(%w: tensor<2xf32> {loom.param = "w"}) -> (tensor<2xf32> {loom.output = "loss"}) attributes {loom.grad} {
  return %w : tensor<2xf32>
}

// -----

// Each gradient rule's ops are named after the op they differentiate, at its
// line, and the update after the optimizer and the parameter (what
// -loom-check-numerics reports a NaN as).
// LOC-LABEL: func.func @names
// LOC: loom.div {{.*}} loc("gradient of log"("model.cpp":4:7))
// LOC: loom.mul {{.*}} loc("gradient of mul"("model.cpp":3:5))
// LOC: loom.sub %arg0, {{.*}} loc("sgd update of w"("model.cpp":2:1))
func.func @names(%w: tensor<2xf32> {loom.param = "w"}, %x: tensor<2xf32> {loom.input = "x"}, %lr: tensor<f32> {loom.input = "lr"},
                 %step: tensor<i64> {loom.input = "step"}, %seed: tensor<i64> {loom.input = "seed"})
    -> (tensor<f32> {loom.output = "loss"}) attributes {loom.export = "names",
        loom.train = {optimizer = "sgd", momentum = 0.0 : f64, dampening = 0.0 : f64, nesterov = false,
                      weight_decay = 0.0 : f64, beta1 = 0.9 : f64, beta2 = 0.999 : f64, eps = 1.0e-8 : f64}} {
  %0 = loom.mul %x, %w : tensor<2xf32> loc("mul"("model.cpp":3:5))
  %1 = loom.log %0 : tensor<2xf32> loc("log"("model.cpp":4:7))
  %2 = loom.reduce_sum %1 axes = [0] : tensor<2xf32> -> tensor<f32> loc("reduce_sum"("model.cpp":5:9))
  return %2 : tensor<f32> loc("model.cpp":2:1)
} loc("model.cpp":2:1)
