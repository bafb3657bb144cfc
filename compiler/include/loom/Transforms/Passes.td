#ifndef LOOM_PASSES_TD
#define LOOM_PASSES_TD

include "mlir/Pass/PassBase.td"

def LoomToLinalg : Pass<"loom-to-linalg", "mlir::ModuleOp"> {
  let summary = "Lower `loom` ops to linalg, tensor and arith ops on tensors";
  let description = [{
    Elementwise ops, broadcasts and transposes become `linalg.generic` ops with
    identity or projected indexing maps, so that upstream elementwise fusion can
    merge them; matmul becomes `linalg.matmul`/`linalg.batch_matmul` on a
    zero-filled init; reductions become `linalg.generic` reductions; reshape,
    slice and concat become tensor dialect ops. Every loom op must lower: a
    leftover op is an error naming it.
  }];
  let dependentDialects = [
    "mlir::arith::ArithDialect", "mlir::linalg::LinalgDialect",
    "mlir::math::MathDialect", "mlir::tensor::TensorDialect"
  ];
}

#endif // LOOM_PASSES_TD
