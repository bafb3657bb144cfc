#ifndef LOOM_OPS_TD
#define LOOM_OPS_TD

include "loom/Dialect/LoomDialect.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/IR/BuiltinAttributeInterfaces.td"

def Loom_Tensor : RankedTensorOf<[F32, I32, I64]>;
def Loom_FloatTensor : RankedTensorOf<[F32]>;

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
    : Loom_Op<mnemonic, [Pure, SameOperandsAndResultType]> {
  let summary = "Elementwise " # what;
  let description = "Elementwise " # what # [{ of a tensor.

    ```mlir
    %y = loom.}] # mnemonic # [{ %x : tensor<64x256xf32>
    ```
  }];
  let arguments = (ins ty:$input);
  let results = (outs ty:$result);
  let assemblyFormat = "$input attr-dict `:` type($result)";
}

def Loom_NegOp     : Loom_UnaryOp<"neg", "negation -x">;
def Loom_ExpOp     : Loom_UnaryOp<"exp", "exponential e^x", Loom_FloatTensor>;
def Loom_LogOp     : Loom_UnaryOp<"log", "natural logarithm", Loom_FloatTensor>;
def Loom_SqrtOp    : Loom_UnaryOp<"sqrt", "square root", Loom_FloatTensor>;
def Loom_TanhOp    : Loom_UnaryOp<"tanh", "hyperbolic tangent", Loom_FloatTensor>;
def Loom_SigmoidOp : Loom_UnaryOp<"sigmoid", "logistic sigmoid 1/(1+e^-x)", Loom_FloatTensor>;
def Loom_ReluOp    : Loom_UnaryOp<"relu", "rectifier max(x, 0) (NaN propagates)", Loom_FloatTensor>;

class Loom_BinaryOp<string mnemonic, string what>
    : Loom_Op<mnemonic, [Pure, SameOperandsAndResultType]> {
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
    : Loom_Op<mnemonic, !listconcat([Pure, SameOperandsAndResultElementType], traits)> {
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

def Loom_MatmulOp : Loom_Op<"matmul", [Pure, SameOperandsAndResultElementType]> {
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
}

def Loom_ReduceSumOp  : Loom_ReduceOp<"reduce_sum", "Sum">;
def Loom_ReduceMeanOp : Loom_ReduceOp<"reduce_mean", "Mean">;
def Loom_ReduceMaxOp  : Loom_ReduceOp<"reduce_max", "Maximum">;

#endif // LOOM_OPS_TD
