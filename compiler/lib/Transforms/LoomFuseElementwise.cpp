// -loom-fuse-elementwise: upstream's elementwise fusion (the patterns and the
// control of -linalg-fuse-elementwise-ops), except that with keep-convolutions
// nothing is fused into a convolution marked `loom.conv`.
//
// Why: fused into a convolution, a producer (zero padding, a batch norm in a
// forward export) is recomputed at every tap, with bounds checks in the
// innermost loop, and the convolution no longer matches the CPU's micro-kernel
// (-loom-cpu-ukernels). Kept apart, the producer writes its buffer once.
#include "loom/Transforms/Passes.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace loom {
#define GEN_PASS_DEF_LOOMFUSEELEMENTWISE
#include "loom/Transforms/Passes.h.inc"
} // namespace loom

using namespace mlir;

namespace {
struct LoomFuseElementwisePass : loom::impl::LoomFuseElementwiseBase<LoomFuseElementwisePass> {
  using LoomFuseElementwiseBase::LoomFuseElementwiseBase;

  void runOnOperation() override {
    Operation *op = getOperation();
    MLIRContext *ctx = op->getContext();
    bool keep = keepConvolutions;
    // Upstream's control (a producer with one use), plus the convolutions.
    linalg::ControlFusionFn control = [keep](OpOperand *fused) {
      Operation *producer = fused->get().getDefiningOp();
      if (!producer || !producer->hasOneUse()) return false;
      return !(keep && fused->getOwner()->hasAttr("loom.conv"));
    };
    // The pattern set of -linalg-fuse-elementwise-ops in MLIR 19.
    RewritePatternSet patterns(ctx);
    linalg::populateElementwiseOpsFusionPatterns(patterns, control);
    linalg::populateFoldReshapeOpsByExpansionPatterns(patterns, control);
    affine::AffineApplyOp::getCanonicalizationPatterns(patterns, ctx);
    linalg::GenericOp::getCanonicalizationPatterns(patterns, ctx);
    tensor::ExpandShapeOp::getCanonicalizationPatterns(patterns, ctx);
    tensor::CollapseShapeOp::getCanonicalizationPatterns(patterns, ctx);
    ctx->getLoadedDialect<linalg::LinalgDialect>()->getCanonicalizationPatterns(patterns);
    linalg::populateConstantFoldLinalgOperations(patterns, control);
    GreedyRewriteConfig config;
    config.useTopDownTraversal = true; // as upstream, for compile time
    (void)applyPatternsAndFoldGreedily(op, std::move(patterns), config);
  }
};
} // namespace
