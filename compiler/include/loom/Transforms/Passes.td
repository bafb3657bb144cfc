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

def LoomFreshResults : Pass<"loom-fresh-results", "mlir::func::FuncOp"> {
  let summary = "Give every returned tensor a value of its own";
  let description = [{
    An export may return one of its arguments, or one value under two names.
    Each such result is replaced by a copy (`bufferization.alloc_tensor`
    with `copy`), so that after bufferization every result is a buffer the
    function writes and `buffer-results-to-out-params` can turn it into the
    caller's out-parameter. (Upstream's hoist-static-allocs also crashes on a
    returned block argument in LLVM 19.)

    ```mlir
    return %arg0, %0, %0 : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
    // becomes
    %1 = bufferization.alloc_tensor() copy(%arg0) : tensor<4xf32>
    %2 = bufferization.alloc_tensor() copy(%0) : tensor<4xf32>
    return %1, %0, %2 : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
    ```
  }];
  let dependentDialects = ["mlir::bufferization::BufferizationDialect"];
}

#endif // LOOM_PASSES_TD
