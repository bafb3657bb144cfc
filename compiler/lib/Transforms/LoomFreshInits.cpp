// -loom-fresh-inits: a linalg.fill that starts several ops' outputs (the zero
// every contraction accumulates into) is cloned for each of them.
//
// Why: CSE merges the identical fills of same-shape convolutions into one
// tensor; bufferization then keeps that zero buffer alive across the whole
// step and copies it into every output before the op accumulates. A fill of
// its own is written in place, once, and nothing else stays live.
#include "loom/Transforms/Passes.h"
#include "ClonePerUse.h"

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
    auto isInit = [](OpOperand &use) {
      auto op = dyn_cast<DestinationStyleOpInterface>(use.getOwner());
      return op && op.isDpsInit(&use);
    };
    for (linalg::FillOp fill : shared) {
      // Its own tensor.empty too: many writers of one empty tensor make
      // one-shot bufferization's conflict analysis quadratic (ResNet-152's
      // bufferization took 78 s instead of 5).
      loom::clonePerUse(fill, isInit, [&](OpBuilder &b) {
        IRMapping map;
        Value init = fill.getOutputs()[0];
        if (auto empty = init.getDefiningOp<tensor::EmptyOp>()) map.map(init, b.clone(*empty)->getResult(0));
        return b.clone(*fill, map)->getResult(0);
      });
    }
  }
};
} // namespace
