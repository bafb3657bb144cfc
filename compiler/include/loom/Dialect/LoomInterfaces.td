#ifndef LOOM_INTERFACES_TD
#define LOOM_INTERFACES_TD

include "mlir/IR/OpBase.td"

def Loom_VJPOpInterface : OpInterface<"VJPOpInterface"> {
  let description = [{
    The op's gradient rule (its vector-Jacobian product), written next to the
    op in loom ops, so `-loom-autodiff` needs no table of rules and a new op
    brings its own gradient.
  }];
  let cppNamespace = "::loom";
  let methods = [
    InterfaceMethod<
      "Given the gradient of the loss with respect to the op's result, builds "
      "and returns the gradient with respect to each operand (a null Value "
      "where an operand has none, e.g. an integer label).",
      "::llvm::SmallVector<::mlir::Value>", "vjp",
      (ins "::mlir::OpBuilder &":$b, "::mlir::Value":$resultGrad)>
  ];
}

#endif // LOOM_INTERFACES_TD
