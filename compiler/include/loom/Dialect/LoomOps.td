#ifndef LOOM_OPS_TD
#define LOOM_OPS_TD

include "loom/Dialect/LoomDialect.td"
include "loom/Dialect/LoomInterfaces.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/Interfaces/DestinationStyleOpInterface.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/IR/BuiltinAttributeInterfaces.td"
include "mlir/IR/EnumAttr.td"

def Loom_Tensor : RankedTensorOf<[F32, I1, I32, I64]>;
def Loom_IntTensor : RankedTensorOf<[I32, I64]>;
def Loom_BoolTensor : RankedTensorOf<[I1]>;
def Loom_I64Scalar : 0DTensorOf<[I64]>;

defvar VJP = DeclareOpInterfaceMethods<Loom_VJPOpInterface>;
def Loom_FloatTensor : RankedTensorOf<[F32]>;

def Loom_ComparePredicate : I64EnumAttr<"ComparePredicate", "the comparison of loom.compare", [
    I64EnumAttrCase<"eq", 0>, I64EnumAttrCase<"ne", 1>, I64EnumAttrCase<"lt", 2>,
    I64EnumAttrCase<"le", 3>, I64EnumAttrCase<"gt", 4>, I64EnumAttrCase<"ge", 5>]> {
  let cppNamespace = "::loom";
}
def Loom_PadMode : I64EnumAttr<"PadMode", "how loom.pad fills the border", [
    I64EnumAttrCase<"zeros", 0>, I64EnumAttrCase<"reflect", 1>]> {
  let cppNamespace = "::loom";
}

//===----------------------------------------------------------------------===//
// Constants
//===----------------------------------------------------------------------===//

def Loom_ConstantOp : Loom_Op<"constant",
    [Pure, ConstantLike, AllTypesMatch<["value", "result"]>]> {
  let summary = "A tensor constant";
  let description = [{
    A constant tensor, usually a splat made from a scalar in the DSL
    (`x * 2.0f`).

    ```mlir
    %c = loom.constant dense<2.000000e+00> : tensor<64x10xf32>
    ```
  }];
  let arguments = (ins ElementsAttr:$value);
  let results = (outs Loom_Tensor:$result);
  let assemblyFormat = "attr-dict $value";
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Elementwise ops: operands and result have one type (broadcast explicitly).
//===----------------------------------------------------------------------===//

class Loom_UnaryOp<string mnemonic, string what, Type ty = Loom_Tensor>
    : Loom_Op<mnemonic, [Pure, SameOperandsAndResultType, VJP]> {
  let summary = "Elementwise " # what;
  let description = "Elementwise " # what # [{ of a tensor.

    ```mlir
    %y = loom.}] # mnemonic # [{ %x : tensor<64x256xf32>
    ```
  }];
  let arguments = (ins ty:$input);
  let results = (outs ty:$result);
  let assemblyFormat = "$input attr-dict `:` type($result)";
  let lowering = "ElementwiseLowering";
}

def Loom_NegOp     : Loom_UnaryOp<"neg", "negation -x">;
def Loom_ExpOp     : Loom_UnaryOp<"exp", "exponential e^x", Loom_FloatTensor>;
def Loom_LogOp     : Loom_UnaryOp<"log", "natural logarithm", Loom_FloatTensor>;
def Loom_SqrtOp    : Loom_UnaryOp<"sqrt", "square root", Loom_FloatTensor>;
def Loom_TanhOp    : Loom_UnaryOp<"tanh", "hyperbolic tangent", Loom_FloatTensor>;
def Loom_SigmoidOp : Loom_UnaryOp<"sigmoid", "logistic sigmoid 1/(1+e^-x)", Loom_FloatTensor>;
def Loom_ReluOp    : Loom_UnaryOp<"relu", "rectifier max(x, 0) (NaN propagates)", Loom_FloatTensor>;

class Loom_BinaryOp<string mnemonic, string what>
    : Loom_Op<mnemonic, [Pure, SameOperandsAndResultType, VJP]> {
  let summary = "Elementwise " # what;
  let description = "Elementwise " # what # [{ of two tensors of one type.
    The DSL inserts `loom.broadcast_to` for operands of different shapes.

    ```mlir
    %z = loom.}] # mnemonic # [{ %x, %y : tensor<64x256xf32>
    ```
  }];
  let arguments = (ins Loom_Tensor:$lhs, Loom_Tensor:$rhs);
  let results = (outs Loom_Tensor:$result);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` type($result)";
  let lowering = "ElementwiseLowering";
}

def Loom_AddOp     : Loom_BinaryOp<"add", "sum x + y">;
def Loom_SubOp     : Loom_BinaryOp<"sub", "difference x - y">;
def Loom_MulOp     : Loom_BinaryOp<"mul", "product x * y">;
def Loom_DivOp     : Loom_BinaryOp<"div", "quotient x / y (integer division truncates)">;
def Loom_MaximumOp : Loom_BinaryOp<"maximum", "maximum (NaN propagates)">;
def Loom_MinimumOp : Loom_BinaryOp<"minimum", "minimum (NaN propagates)">;

//===----------------------------------------------------------------------===//
// Shape ops
//===----------------------------------------------------------------------===//

class Loom_ShapeOp<string mnemonic, list<Trait> traits = []>
    : Loom_Op<mnemonic, !listconcat([Pure, SameOperandsAndResultElementType, VJP], traits)> {
  let hasVerifier = 1;
}

def Loom_BroadcastToOp : Loom_ShapeOp<"broadcast_to"> {
  let summary = "Broadcast a tensor to a larger shape with numpy's rules";
  let description = [{
    Aligns the input's dimensions with the result's trailing dimensions; each
    input dimension must equal the result's or be 1.

    ```mlir
    %b = loom.broadcast_to %bias : tensor<256xf32> -> tensor<64x256xf32>
    ```
  }];
  let arguments = (ins Loom_Tensor:$input);
  let results = (outs Loom_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
}

def Loom_ReshapeOp : Loom_ShapeOp<"reshape"> {
  let summary = "Reinterpret a tensor's elements (row-major) with a new shape";
  let description = [{
    The element count must not change.

    ```mlir
    %r = loom.reshape %x : tensor<64x1x28x28xf32> -> tensor<64x784xf32>
    ```
  }];
  let arguments = (ins Loom_Tensor:$input);
  let results = (outs Loom_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
}

def Loom_TransposeOp : Loom_ShapeOp<"transpose"> {
  let summary = "Permute a tensor's dimensions";
  let description = [{
    Result dimension i is input dimension `permutation[i]`.

    ```mlir
    %t = loom.transpose %w permutation = [1, 0] : tensor<256x784xf32> -> tensor<784x256xf32>
    ```
  }];
  let arguments = (ins Loom_Tensor:$input, DenseI64ArrayAttr:$permutation);
  let results = (outs Loom_Tensor:$result);
  let assemblyFormat =
      "$input `permutation` `=` $permutation attr-dict `:` type($input) `->` type($result)";
}

def Loom_ConcatOp : Loom_ShapeOp<"concat"> {
  let summary = "Concatenate tensors along one axis";
  let description = [{
    All inputs have the result's rank and agree on every dimension but `axis`.

    ```mlir
    %c = loom.concat %a, %b axis = 1 : tensor<4x2xf32>, tensor<4x3xf32> -> tensor<4x5xf32>
    ```
  }];
  let arguments = (ins Variadic<Loom_Tensor>:$inputs, I64Attr:$axis);
  let results = (outs Loom_Tensor:$result);
  let assemblyFormat =
      "$inputs `axis` `=` $axis attr-dict `:` type($inputs) `->` type($result)";
}

def Loom_SliceOp : Loom_ShapeOp<"slice"> {
  let summary = "A strided box of a tensor";
  let description = [{
    Result element `i` is input element `starts + i * strides`, per dimension;
    the result's shape gives the sizes. Everything must lie inside the input.

    ```mlir
    %s = loom.slice %x starts = [0, 2] strides = [1, 1] : tensor<4x8xf32> -> tensor<4x3xf32>
    ```
  }];
  let arguments = (ins Loom_Tensor:$input, DenseI64ArrayAttr:$starts,
                       DenseI64ArrayAttr:$strides);
  let results = (outs Loom_Tensor:$result);
  let assemblyFormat = "$input `starts` `=` $starts `strides` `=` $strides attr-dict "
                       "`:` type($input) `->` type($result)";
}

//===----------------------------------------------------------------------===//
// Contractions and reductions
//===----------------------------------------------------------------------===//

def Loom_MatmulOp : Loom_Op<"matmul", [Pure, SameOperandsAndResultElementType, VJP]> {
  let summary = "Matrix product, 2-D or batched 3-D";
  let description = [{
    `[M,K] x [K,N] -> [M,N]`, or with a leading batch dimension on all three
    (`[B,M,K] x [B,K,N] -> [B,M,N]`).

    ```mlir
    %y = loom.matmul %x, %w : tensor<64x784xf32>, tensor<784x256xf32> -> tensor<64x256xf32>
    ```
  }];
  let arguments = (ins Loom_Tensor:$lhs, Loom_Tensor:$rhs);
  let results = (outs Loom_Tensor:$result);
  let assemblyFormat =
      "$lhs `,` $rhs attr-dict `:` type($lhs) `,` type($rhs) `->` type($result)";
  let hasVerifier = 1;
}

class Loom_ReduceOp<string mnemonic, string what>
    : Loom_ShapeOp<mnemonic> {
  let summary = what # " over the given axes (the axes are removed)";
  let description = what # [{ over `axes`, which are sorted, distinct and
    in range; the result has the input's other dimensions in order.

    ```mlir
    %s = loom.}] # mnemonic # [{ %x axes = [1] : tensor<64x10xf32> -> tensor<64xf32>
    ```
  }];
  let arguments = (ins Loom_Tensor:$input, DenseI64ArrayAttr:$axes);
  let results = (outs Loom_Tensor:$result);
  let assemblyFormat =
      "$input `axes` `=` $axes attr-dict `:` type($input) `->` type($result)";
  let lowering = "ReduceLowering";
}

def Loom_ReduceSumOp  : Loom_ReduceOp<"reduce_sum", "Sum">;
def Loom_ReduceMeanOp : Loom_ReduceOp<"reduce_mean", "Mean">;
def Loom_ReduceMaxOp  : Loom_ReduceOp<"reduce_max", "Maximum">;

def Loom_InsertSliceOp : Loom_ShapeOp<"insert_slice", [AllTypesMatch<["dest", "result"]>]> {
  let summary = "A tensor with a strided box replaced by another tensor";
  let description = [{
    The inverse of `loom.slice` (and its gradient): `dest` with the elements
    `starts + i * strides` replaced by `source`.

    ```mlir
    %r = loom.insert_slice %s into %z starts = [0, 2] strides = [1, 1] : tensor<4x3xf32> into tensor<4x8xf32>
    ```
  }];
  let arguments = (ins Loom_Tensor:$source, Loom_Tensor:$dest, DenseI64ArrayAttr:$starts,
                       DenseI64ArrayAttr:$strides);
  let results = (outs Loom_Tensor:$result);
  let assemblyFormat = "$source `into` $dest `starts` `=` $starts `strides` `=` $strides attr-dict "
                       "`:` type($source) `into` type($dest)";
}

def Loom_PadOp : Loom_ShapeOp<"pad"> {
  let summary = "Pad every dimension with zeros or by reflection";
  let description = [{
    Result dimension `d` is `low[d] + input[d] + high[d]` long. `mode` is
    `zeros`, or `reflect` (PyTorch's: the border mirrors the input without
    repeating its edge, `x[2], x[1], x[0], x[1], ...`; needs `low[d], high[d]
    < input[d]`). One op, so one loop nest (one GPU kernel), where slices and
    concatenations of the border were a copy each.

    ```mlir
    %p = loom.pad %x low = [0, 0, 3, 3] high = [0, 0, 3, 3] mode = reflect : tensor<10x1x28x28xf32> -> tensor<10x1x34x34xf32>
    ```
  }];
  let arguments = (ins Loom_Tensor:$input, DenseI64ArrayAttr:$low, DenseI64ArrayAttr:$high, Loom_PadMode:$mode);
  let results = (outs Loom_Tensor:$result);
  let assemblyFormat = "$input `low` `=` $low `high` `=` $high `mode` `=` $mode attr-dict "
                       "`:` type($input) `->` type($result)";
}

def Loom_UnpadOp : Loom_ShapeOp<"unpad"> {
  let summary = "The adjoint of `loom.pad` (its gradient): fold the border back in";
  let description = [{
    Result element `i` is the sum of the input elements that `loom.pad` with
    the same attributes fills from element `i` of its input: the element at
    `i + low` and, with `reflect`, its mirror images in the border (up to
    three candidates per dimension). With `zeros` it is a slice.

    ```mlir
    %g = loom.unpad %dp low = [0, 0, 3, 3] high = [0, 0, 3, 3] mode = reflect : tensor<10x1x34x34xf32> -> tensor<10x1x28x28xf32>
    ```
  }];
  let arguments = (ins Loom_Tensor:$input, DenseI64ArrayAttr:$low, DenseI64ArrayAttr:$high, Loom_PadMode:$mode);
  let results = (outs Loom_Tensor:$result);
  let assemblyFormat = "$input `low` `=` $low `high` `=` $high `mode` `=` $mode attr-dict "
                       "`:` type($input) `->` type($result)";
}

//===----------------------------------------------------------------------===//
// Comparison, selection, casts: not differentiable themselves, they build
// masks and the gradients of relu, maximum, reduce_max and losses.
//===----------------------------------------------------------------------===//

def Loom_CompareOp : Loom_Op<"compare", [Pure, SameTypeOperands]> {
  let summary = "Elementwise comparison, giving an i1 tensor";
  let description = [{
    `predicate` is one of eq, ne, lt, le, gt, ge (ordered for floats: any
    comparison with NaN but ne is false).

    ```mlir
    %m = loom.compare gt %x, %zero : tensor<64x256xf32> -> tensor<64x256xi1>
    ```
  }];
  let arguments = (ins Loom_ComparePredicate:$predicate, Loom_Tensor:$lhs, Loom_Tensor:$rhs);
  let results = (outs Loom_BoolTensor:$result);
  let assemblyFormat = "$predicate $lhs `,` $rhs attr-dict `:` type($lhs) `->` type($result)";
  let hasVerifier = 1;
  let lowering = "ElementwiseLowering";
}

def Loom_SelectOp : Loom_Op<"select", [Pure, AllTypesMatch<["on_true", "on_false", "result"]>, VJP]> {
  let summary = "Elementwise choice: on_true where cond, else on_false";
  let description = [{
    ```mlir
    %g = loom.select %m, %dy, %zero : tensor<64x256xi1>, tensor<64x256xf32>
    ```
  }];
  let arguments = (ins Loom_BoolTensor:$cond, Loom_Tensor:$on_true, Loom_Tensor:$on_false);
  let results = (outs Loom_Tensor:$result);
  let assemblyFormat = "$cond `,` $on_true `,` $on_false attr-dict `:` type($cond) `,` type($result)";
  let hasVerifier = 1;
  let lowering = "ElementwiseLowering";
}

def Loom_CastOp : Loom_Op<"cast", [Pure, SameOperandsAndResultShape, VJP]> {
  let summary = "Elementwise dtype conversion";
  let description = [{
    Between f32, i1, i32 and i64 (float to integer truncates toward zero; i1
    converts to 0 or 1). Only f32 -> f32 paths carry a gradient.

    ```mlir
    %f = loom.cast %labels : tensor<64xi64> -> tensor<64xf32>
    ```
  }];
  let arguments = (ins Loom_Tensor:$input);
  let results = (outs Loom_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let lowering = "ElementwiseLowering";
}

def Loom_StopGradientOp : Loom_Op<"stop_gradient", [Pure, SameOperandsAndResultType, VJP]> {
  let summary = "Identity whose gradient is zero";
  let description = [{
    ```mlir
    %m = loom.stop_gradient %max : tensor<64x1xf32>
    ```
  }];
  let arguments = (ins Loom_Tensor:$input);
  let results = (outs Loom_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($result)";
}

def Loom_OneHotOp : Loom_Op<"one_hot", [Pure]> {
  let summary = "Integer labels to one-hot rows";
  let description = [{
    `result[..., c] = (labels[...] == c)` as f32; the class count is the
    result's last dimension. A label outside [0, classes) gives a zero row.

    ```mlir
    %h = loom.one_hot %labels : tensor<64xi64> -> tensor<64x10xf32>
    ```
  }];
  let arguments = (ins Loom_IntTensor:$labels);
  let results = (outs Loom_FloatTensor:$result);
  let assemblyFormat = "$labels attr-dict `:` type($labels) `->` type($result)";
  let hasVerifier = 1;
}

def Loom_ArgmaxOp : Loom_Op<"argmax", [Pure]> {
  let summary = "Index of the largest element along one axis (first on ties)";
  let description = [{
    ```mlir
    %i = loom.argmax %logits axis = 1 : tensor<64x10xf32> -> tensor<64xi64>
    ```
  }];
  let arguments = (ins Loom_FloatTensor:$input, I64Attr:$axis);
  let results = (outs RankedTensorOf<[I64]>:$result);
  let assemblyFormat = "$input `axis` `=` $axis attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
}

def Loom_RandomUniformOp : Loom_Op<"random_uniform", []> {
  let summary = "Uniform [0,1) numbers from Philox 4x32-10, keyed by seed and step";
  let description = [{
    Element i (row-major) is `(philox(ctr, key)[i % 4] >> 8) * 2^-24` with
    `key = (seed low, seed high)` and `ctr = (i / 4 low, i / 4 high, step,
    stream)`, exactly as `loom::rt::Philox4x32::uniform` computes it, so CPU,
    GPU and the runtime agree, and the same (seed, step) gives the same
    tensor in the forward and backward pass. `stream` tells apart the random
    ops of one step.

    ```mlir
    %u = loom.random_uniform %seed, %step stream = 0 : tensor<i64>, tensor<i64> -> tensor<64x784xf32>
    ```
  }];
  let arguments = (ins Loom_I64Scalar:$seed, Loom_I64Scalar:$step, I64Attr:$stream);
  let results = (outs Loom_FloatTensor:$result);
  let assemblyFormat = "$seed `,` $step `stream` `=` $stream attr-dict `:` type($seed) `,` type($step) `->` type($result)";
}

//===----------------------------------------------------------------------===//
// Convolution
//===----------------------------------------------------------------------===//

class Loom_ConvOp<string mnemonic, string summaryText, string example, list<Trait> traits = []>
    : Loom_Op<mnemonic, !listconcat([Pure, SameOperandsAndResultElementType], traits)> {
  let summary = summaryText;
  let description = summaryText # [{ (NCHW activations, OIHW filters with
    I = C / groups). Padding is not part of the op: the DSL pads explicitly
    (zeros or reflect), so its gradient is the pad's.
  }] # example;
  let arguments = (ins Loom_FloatTensor:$lhs, Loom_FloatTensor:$rhs, DenseI64ArrayAttr:$strides,
                       DenseI64ArrayAttr:$dilations, I64Attr:$groups);
  let results = (outs Loom_FloatTensor:$result);
  let assemblyFormat = "$lhs `,` $rhs `strides` `=` $strides `dilations` `=` $dilations `groups` `=` $groups "
                       "attr-dict `:` type($lhs) `,` type($rhs) `->` type($result)";
  let hasVerifier = 1;
}

def Loom_Conv2dOp : Loom_ConvOp<"conv2d", "2-D convolution (cross-correlation) of an input with filters", [{

    `y[n, o, i, j] = sum_{c, kh, kw} x[n, g(o) * C/groups + c, i*s0 + kh*d0, j*s1 + kw*d1] * w[o, c, kh, kw]`

    ```mlir
    %y = loom.conv2d %x, %w strides = [1, 1] dilations = [1, 1] groups = 1
           : tensor<10x1x34x34xf32>, tensor<3x1x7x7xf32> -> tensor<10x3x28x28xf32>
    ```
  }], [VJP]>;

def Loom_Conv2dInputGradOp : Loom_ConvOp<"conv2d_input_grad",
    "Gradient of a 2-D convolution with respect to its input", [{

    Operands: the result's gradient and the filters; the result has the
    input's type (given, since strides may leave rows unused).

    ```mlir
    %dx = loom.conv2d_input_grad %dy, %w strides = [1, 1] dilations = [1, 1] groups = 1
            : tensor<10x3x28x28xf32>, tensor<3x1x7x7xf32> -> tensor<10x1x34x34xf32>
    ```
  }]>;

def Loom_Conv2dFilterGradOp : Loom_ConvOp<"conv2d_filter_grad",
    "Gradient of a 2-D convolution with respect to its filters", [{

    Operands: the convolution's input and the result's gradient.

    ```mlir
    %dw = loom.conv2d_filter_grad %x, %dy strides = [1, 1] dilations = [1, 1] groups = 1
            : tensor<10x1x34x34xf32>, tensor<10x3x28x28xf32> -> tensor<3x1x7x7xf32>
    ```
  }]>;

//===----------------------------------------------------------------------===//
// Data parallelism
//===----------------------------------------------------------------------===//

def Loom_AllReduceOp : Loom_Op<"all_reduce", [
    DestinationStyleOpInterface, DeclareOpInterfaceMethods<MemoryEffectsOpInterface>]> {
  let summary = "The mean of each tensor over the processes of a data-parallel run";
  let description = [{
    A data-parallel train step's gradients, averaged over every process
    (rank) of the run before the optimizer update, as PyTorch's
    DistributedDataParallel averages them. -loom-autodiff makes one for all of
    a step's gradients; on tensors each result is its operand's mean, on
    buffers (after bufferization) the buffers are overwritten with it, and
    -loom-all-reduce-to-runtime makes it runtime calls, which pack the buffers
    into buckets of a few MB and all-reduce each bucket once (runtime/src/
    distributed.cpp). A run of one process leaves the values as they are.

    ```mlir
    %g:2 = loom.all_reduce %dw, %db : tensor<16x8xf32>, tensor<16xf32> -> tensor<16x8xf32>, tensor<16xf32>
    loom.all_reduce %bw, %bb : memref<16x8xf32>, memref<16xf32>
    ```
  }];
  let arguments = (ins Variadic<AnyTypeOf<[Loom_FloatTensor, MemRefOf<[F32]>]>>:$values);
  let results = (outs Variadic<Loom_FloatTensor>:$results);
  let assemblyFormat = "$values attr-dict `:` type($values) (`->` type($results)^)?";
  let builders = [OpBuilder<(ins "mlir::ValueRange":$values)>];
  let lowering = ""; // bufferized as it is (LoomDialect.cpp), then runtime calls
  let extraClassDeclaration = [{
    mlir::MutableOperandRange getDpsInitsMutable() { return getValuesMutable(); }
  }];
  let hasVerifier = 1;
}

#endif // LOOM_OPS_TD
