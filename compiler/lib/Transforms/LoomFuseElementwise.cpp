// -loom-fuse-elementwise: upstream's elementwise fusion (the patterns and the
// control of -linalg-fuse-elementwise-ops), except that with keep-convolutions
// nothing is fused into a convolution marked `loom.conv`, and that a broadcast
// (or copy) read by several elementwise ops is first cloned for each of them.
//
// Why the clones: upstream fuses only a producer with one use, so a
// broadcast of a per-channel vector (batch norm's scale and 1/sigma) that the
// forward and the backward pass both read was written out at the full
// activation size and kept for the backward (in ResNet-18's train step, 40 of
// them, 315 MB of its arena). Fused into each reader it is an index map.
//
// Why: fused into a convolution, a producer (zero padding, a batch norm in a
// forward export) is recomputed at every tap, with bounds checks in the
// innermost loop, and the convolution no longer matches the CPU's micro-kernel
// (-loom-cpu-ukernels). Kept apart, the producer writes its buffer once.
#include "loom/Transforms/Passes.h"
#include "ClonePerUse.h"

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
/// A generic that only moves its one input's elements (`linalg.yield %in`):
/// a broadcast, transpose or copy, free to recompute inside each reader.
bool isMove(linalg::GenericOp g) {
  if (g.getNumDpsInputs() != 1 || g.getNumDpsInits() != 1 || g.getNumReductionLoops() != 0) return false;
  Block &body = g.getRegion().front();
  auto yield = dyn_cast<linalg::YieldOp>(body.getTerminator());
  return &body.front() == yield && yield.getNumOperands() == 1 && yield.getOperand(0) == body.getArgument(0);
}

/// Gives every elementwise reader of a shared move its own clone, which
/// upstream's fusion then folds into it (a reader it cannot fuse keeps the
/// original).
void cloneMovesPerReader(Operation *root, bool keepConvolutions) {
  SmallVector<linalg::GenericOp> moves;
  root->walk([&](linalg::GenericOp g) {
    if (isMove(g) && !g->hasOneUse()) moves.push_back(g);
  });
  auto fusable = [&](OpOperand &use) {
    auto reader = dyn_cast<linalg::GenericOp>(use.getOwner());
    return reader && !(keepConvolutions && reader->hasAttr("loom.conv")) && linalg::areElementwiseOpsFusable(&use);
  };
  for (linalg::GenericOp g : moves)
    loom::clonePerUse(g, fusable, [&](OpBuilder &b) { return b.clone(*g)->getResult(0); });
}

struct LoomFuseElementwisePass : loom::impl::LoomFuseElementwiseBase<LoomFuseElementwisePass> {
  using LoomFuseElementwiseBase::LoomFuseElementwiseBase;

  void runOnOperation() override {
    Operation *op = getOperation();
    MLIRContext *ctx = op->getContext();
    bool keep = keepConvolutions;
    cloneMovesPerReader(op, keep);
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
