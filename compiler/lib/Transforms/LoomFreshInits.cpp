// -loom-fresh-inits: a linalg.fill that starts several ops' outputs (the zero
// every contraction accumulates into) is cloned for each of them.
//
// Why: CSE merges the identical fills of same-shape convolutions into one
// tensor; bufferization then keeps that zero buffer alive across the whole
// step and copies it into every output before the op accumulates. A fill of
// its own is written in place, once, and nothing else stays live.
#include "loom/Transforms/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/IRMapping.h"

namespace loom {
#define GEN_PASS_DEF_LOOMFRESHINITS
#include "loom/Transforms/Passes.h.inc"
} // namespace loom

using namespace mlir;

namespace {
struct LoomFreshInitsPass : loom::impl::LoomFreshInitsBase<LoomFreshInitsPass> {
  void runOnOperation() override {
    SmallVector<linalg::FillOp> shared;
    getOperation().walk([&](linalg::FillOp fill) {
      if (fill.hasPureTensorSemantics() && !fill->getResult(0).hasOneUse()) shared.push_back(fill);
    });
    OpBuilder b(&getContext());
    for (linalg::FillOp fill : shared) {
      SmallVector<OpOperand *> inits;
      for (OpOperand &use : fill->getResult(0).getUses()) {
        auto op = dyn_cast<DestinationStyleOpInterface>(use.getOwner());
        if (op && op.isDpsInit(&use)) inits.push_back(&use);
      }
      // The original keeps its other uses, or the last init when all are inits.
      if (inits.size() == size_t(std::distance(fill->getUses().begin(), fill->getUses().end()))) inits.pop_back();
      for (OpOperand *use : inits) {
        b.setInsertionPoint(use->getOwner());
        // Its own tensor.empty too: many writers of one empty tensor make
        // one-shot bufferization's conflict analysis quadratic (ResNet-152's
        // bufferization took 78 s instead of 5).
        IRMapping map;
        Value init = fill.getOutputs()[0];
        if (auto empty = init.getDefiningOp<tensor::EmptyOp>()) map.map(init, b.clone(*empty)->getResult(0));
        auto clone = cast<linalg::FillOp>(b.clone(*fill, map));
        use->set(clone->getResult(0));
      }
    }
  }
};
} // namespace
