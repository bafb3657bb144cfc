// -loom-autodiff: backward pass from each op's VJP, and the optimizer update.
// RUN: %loom-opt %s -loom-autodiff -split-input-file -verify-diagnostics -allow-unregistered-dialect | FileCheck %s
// RUN: %loom-opt %s -loom-autodiff -split-input-file -verify-diagnostics -allow-unregistered-dialect -mlir-print-debuginfo -mlir-print-local-scope | FileCheck %s --check-prefix=LOC

// A gradient export: d/dw and d/dx of sum(x * w * x). x is used twice: its
// gradients are summed.
// CHECK-LABEL: func.func @grad
// CHECK-SAME: -> (tensor<f32> {loom.output = "loss"}, tensor<3xf32> {loom.gradient_of = "w", loom.output = "grad_w"}, tensor<3xf32> {loom.gradient_of = "x", loom.output = "grad_x"})
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
  // CHECK: %[[UNDER:.*]] = loom.compare eq %[[UM1]]
  // CHECK: %[[E:.*]] = loom.select %[[UNDER]], %[[UM1]], %[[K]]
  // CHECK: %[[ZERO:.*]] = loom.compare eq %[[UM1]]
  // CHECK: %[[E2:.*]] = loom.select %[[ZERO]], %[[X]], %[[E]]
  // CHECK: loom.neg %[[E2]]
  // CHECK: loom.sqrt
  // CHECK: return %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} : tensor<f32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>
  return %1 : tensor<f32>
}

// -----

// pad's gradient is unpad with the same attributes (and the other way round).
// CHECK-LABEL: func.func @pad
// CHECK-SAME: tensor<4xf32> {loom.gradient_of = "x", loom.output = "grad_x"}
// CHECK: loom.pad %arg0 low = [2] high = [1] mode = reflect
// CHECK: %[[D:.*]] = loom.unpad %{{.*}} low = [2] high = [1] mode = reflect : tensor<7xf32> -> tensor<4xf32>
// CHECK: return %{{.*}}, %[[D]]
func.func @pad(%x: tensor<4xf32> {loom.input = "x"}, %step: tensor<i64> {loom.input = "step"},
               %seed: tensor<i64> {loom.input = "seed"})
    -> (tensor<f32> {loom.output = "loss"}) attributes {loom.grad, loom.export = "pad"} {
  %p = loom.pad %x low = [2] high = [1] mode = reflect : tensor<4xf32> -> tensor<7xf32>
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

// -----

// matmul: dA = dY B^T and dB = A^T dY (the transposes of the last two axes).
// CHECK-LABEL: func.func @matmul
func.func @matmul(%a: tensor<3x4xf32> {loom.param = "a"}, %b: tensor<4x5xf32> {loom.param = "b"},
                  %step: tensor<i64> {loom.input = "step"}, %seed: tensor<i64> {loom.input = "seed"})
    -> (tensor<f32> {loom.output = "loss"}) attributes {loom.grad, loom.export = "matmul"} {
  %0 = loom.matmul %a, %b : tensor<3x4xf32>, tensor<4x5xf32> -> tensor<3x5xf32>
  %1 = loom.reduce_sum %0 axes = [0, 1] : tensor<3x5xf32> -> tensor<f32>
  // CHECK: %[[DY:.*]] = loom.broadcast_to %{{.*}} : tensor<1x1xf32> -> tensor<3x5xf32>
  // CHECK: %[[BT:.*]] = loom.transpose %arg1 permutation = [1, 0] : tensor<4x5xf32> -> tensor<5x4xf32>
  // CHECK: %[[DA:.*]] = loom.matmul %[[DY]], %[[BT]] : tensor<3x5xf32>, tensor<5x4xf32> -> tensor<3x4xf32>
  // CHECK: %[[AT:.*]] = loom.transpose %arg0 permutation = [1, 0] : tensor<3x4xf32> -> tensor<4x3xf32>
  // CHECK: %[[DB:.*]] = loom.matmul %[[AT]], %[[DY]] : tensor<4x3xf32>, tensor<3x5xf32> -> tensor<4x5xf32>
  // CHECK: return %{{.*}}, %[[DA]], %[[DB]]
  return %1 : tensor<f32>
}

// -----

// Reductions: the mean spreads dy / count over the reduced axis; the maximum
// shares dy among the elements equal to it (hit / count of hits).
// CHECK-LABEL: func.func @reductions
func.func @reductions(%x: tensor<2x3xf32> {loom.param = "x"}, %step: tensor<i64> {loom.input = "step"},
                      %seed: tensor<i64> {loom.input = "seed"})
    -> (tensor<f32> {loom.output = "loss"}) attributes {loom.grad, loom.export = "reductions"} {
  %0 = loom.reduce_max %x axes = [1] : tensor<2x3xf32> -> tensor<2xf32>
  %1 = loom.reduce_mean %0 axes = [0] : tensor<2xf32> -> tensor<f32>
  // d mean: the seed spread over the 2 rows, times 1/2.
  // CHECK: %[[HALF:.*]] = loom.constant dense<5.000000e-01> : tensor<2xf32>
  // CHECK: %[[DMEAN:.*]] = loom.mul %{{.*}}, %[[HALF]] : tensor<2xf32>
  // d max: the maximum spread back, compared with x, counted per row.
  // CHECK: %[[YR:.*]] = loom.reshape %0 : tensor<2xf32> -> tensor<2x1xf32>
  // CHECK: %[[Y:.*]] = loom.broadcast_to %[[YR]] : tensor<2x1xf32> -> tensor<2x3xf32>
  // CHECK: %[[EQ:.*]] = loom.compare eq %arg0, %[[Y]] : tensor<2x3xf32> -> tensor<2x3xi1>
  // CHECK: %[[HIT:.*]] = loom.select %[[EQ]], %{{.*}}, %{{.*}} : tensor<2x3xi1>, tensor<2x3xf32>
  // CHECK: %[[COUNT:.*]] = loom.reduce_sum %[[HIT]] axes = [1] : tensor<2x3xf32> -> tensor<2xf32>
  // CHECK: %[[SHARE:.*]] = loom.div %[[DMEAN]], %[[COUNT]] : tensor<2xf32>
  // CHECK: %[[SR:.*]] = loom.reshape %[[SHARE]] : tensor<2xf32> -> tensor<2x1xf32>
  // CHECK: %[[S:.*]] = loom.broadcast_to %[[SR]] : tensor<2x1xf32> -> tensor<2x3xf32>
  // CHECK: %[[DX:.*]] = loom.mul %[[HIT]], %[[S]] : tensor<2x3xf32>
  // CHECK: return %{{.*}}, %[[DX]]
  return %1 : tensor<f32>
}

// -----

// conv2d: the input gradient and the filter gradient, with the forward op's
// strides, dilations and groups.
// CHECK-LABEL: func.func @conv
func.func @conv(%w: tensor<6x2x3x3xf32> {loom.param = "w"}, %x: tensor<1x4x9x9xf32> {loom.input = "x"},
                %step: tensor<i64> {loom.input = "step"}, %seed: tensor<i64> {loom.input = "seed"})
    -> (tensor<f32> {loom.output = "loss"}) attributes {loom.grad, loom.export = "conv"} {
  %y = loom.conv2d %x, %w strides = [2, 2] dilations = [1, 1] groups = 2 : tensor<1x4x9x9xf32>, tensor<6x2x3x3xf32> -> tensor<1x6x4x4xf32>
  %l = loom.reduce_sum %y axes = [0, 1, 2, 3] : tensor<1x6x4x4xf32> -> tensor<f32>
  // CHECK: %[[DY:.*]] = loom.broadcast_to %{{.*}} -> tensor<1x6x4x4xf32>
  // CHECK: %[[DX:.*]] = loom.conv2d_input_grad %[[DY]], %arg0 strides = [2, 2] dilations = [1, 1] groups = 2 : tensor<1x6x4x4xf32>, tensor<6x2x3x3xf32> -> tensor<1x4x9x9xf32>
  // CHECK: %[[DW:.*]] = loom.conv2d_filter_grad %arg1, %[[DY]] strides = [2, 2] dilations = [1, 1] groups = 2 : tensor<1x4x9x9xf32>, tensor<1x6x4x4xf32> -> tensor<6x2x3x3xf32>
  // CHECK: return %{{.*}}, %[[DW]], %[[DX]]
  return %l : tensor<f32>
}

// -----

// An op of two results on the path to the loss is refused, named, not skipped.
func.func @two(%w: tensor<2xf32> {loom.param = "w"}, %step: tensor<i64> {loom.input = "step"},
               %seed: tensor<i64> {loom.input = "seed"})
    -> (tensor<f32> {loom.output = "loss"}) attributes {loom.grad, loom.export = "two"} {
  // expected-error @+1 {{'x.split' op has 2 results and the loss depends on one through a parameter: -loom-autodiff differentiates ops of one result}}
  %0:2 = "x.split"(%w) : (tensor<2xf32>) -> (tensor<2xf32>, tensor<2xf32>)
  %1 = loom.reduce_sum %0#1 axes = [0] : tensor<2xf32> -> tensor<f32>
  return %1 : tensor<f32>
}

// -----

// An op without a gradient rule on the path to the loss is named, with its line.
func.func @norule(%w: tensor<2xf32> {loom.param = "w"}, %step: tensor<i64> {loom.input = "step"},
                  %seed: tensor<i64> {loom.input = "seed"})
    -> (tensor<f32> {loom.output = "loss"}) attributes {loom.grad, loom.export = "norule"} {
  // expected-error @+1 {{'x.opaque' op has no gradient rule, but the loss depends on it through a parameter}}
  %0 = "x.opaque"(%w) : (tensor<2xf32>) -> tensor<2xf32>
  %1 = loom.reduce_sum %0 axes = [0] : tensor<2xf32> -> tensor<f32>
  return %1 : tensor<f32>
}

// -----

// A data-parallel step: the gradients of both parameters go through one
// loom.all_reduce (their mean over the processes) before the update; the
// frozen parameter's, which has none, does not.
// CHECK-LABEL: func.func @data_parallel
// d/db of (... + b) is the backward pass's seed, 1.
// CHECK: %[[DB:.*]] = loom.constant dense<1.000000e+00> : tensor<f32>
// CHECK: %[[DW:.*]] = loom.mul %{{.*}}, %arg3 : tensor<2xf32>
// CHECK: %[[R:.*]]:2 = loom.all_reduce %[[DW]], %[[DB]] : tensor<2xf32>, tensor<f32> -> tensor<2xf32>, tensor<f32>
// CHECK: loom.mul %{{.*}}, %[[R]]#0
// CHECK: loom.mul %arg4, %[[R]]#1
// CHECK-NOT: loom.all_reduce
// LOC-LABEL: func.func @data_parallel
// LOC: loom.all_reduce {{.*}} loc("all-reduce of the gradients"
func.func @data_parallel(%w: tensor<2xf32> {loom.param = "w"}, %b: tensor<f32> {loom.param = "b"},
                         %f: tensor<2xf32> {loom.param = "f", loom.frozen},
                         %x: tensor<2xf32> {loom.input = "x"}, %lr: tensor<f32> {loom.input = "lr"},
                         %step: tensor<i64> {loom.input = "step"}, %seed: tensor<i64> {loom.input = "seed"})
    -> (tensor<f32> {loom.output = "loss"}) attributes {loom.export = "data_parallel", loom.data_parallel,
        loom.train = {optimizer = "sgd", momentum = 0.0 : f64, dampening = 0.0 : f64, nesterov = false,
                      weight_decay = 0.0 : f64, beta1 = 0.9 : f64, beta2 = 0.999 : f64, eps = 1.0e-8 : f64}} {
  %0 = loom.mul %w, %x : tensor<2xf32>
  %1 = loom.mul %0, %f : tensor<2xf32>
  %2 = loom.reduce_sum %1 axes = [0] : tensor<2xf32> -> tensor<f32>
  %3 = loom.add %2, %b : tensor<f32>
  return %3 : tensor<f32>
}
