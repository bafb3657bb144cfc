// -loom-fresh-results: every returned tensor becomes a value of its own.
#include "loom/Transforms/Passes.h"

#include "llvm/ADT/SmallPtrSet.h"

namespace loom {
#define GEN_PASS_DEF_LOOMFRESHRESULTS
#include "loom/Transforms/Passes.h.inc"
} // namespace loom

using namespace mlir;

namespace {
struct LoomFreshResultsPass : loom::impl::LoomFreshResultsBase<LoomFreshResultsPass> {
  void runOnOperation() override {
    getOperation().walk([](func::ReturnOp ret) {
      OpBuilder b(ret);
      llvm::SmallPtrSet<Value, 8> seen;
      for (OpOperand &operand : ret->getOpOperands()) {
        Value v = operand.get();
        auto type = dyn_cast<RankedTensorType>(v.getType());
        if (!type || (!isa<BlockArgument>(v) && seen.insert(v).second)) continue;
        operand.set(b.create<bufferization::AllocTensorOp>(ret.getLoc(), type, ValueRange{}, v));
      }
    });
  }
};
} // namespace
