// -loom-vectorize-reductions: the accumulating add of a linalg reduction whose
// innermost loop is the reduction gets `reassoc`, so that LLVM vectorizes
// that loop with lanes of partial sums; innermost reduction loops over
// contiguous elements (a batch norm's H and W) are first collapsed into one.
//
// Why: without it the innermost loop is one chain of dependent scalar adds
// (4 cycles each), so batch norm's statistics and the bias gradients ran at
// a fraction of memory speed, the larger part of batch norm + ReLU's time.
// The order of the sum is still fixed by the code (the lanes, then the
// loop), and each output element is summed by one thread: results stay
// bit-identical for any thread count. The collapse: LLVM fully unrolls a
// 32 x 32 nest with constant trip counts and then gathers across rows; one
// loop of 1024 it vectorizes along memory.
#include "loom/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/IR/PatternMatch.h"

namespace loom {
#define GEN_PASS_DEF_LOOMVECTORIZEREDUCTIONS
#include "loom/Transforms/Passes.h.inc"
} // namespace loom

using namespace mlir;

namespace {
/// The trailing reduction loops of `g`, when there are two or more and every
/// operand is an identity-layout buffer that they index in order (so that
/// they can be one loop over contiguous elements).
ReassociationIndices trailingContiguousReductions(linalg::GenericOp g) {
  auto iterators = g.getIteratorTypesArray();
  ReassociationIndices dims;
  for (int64_t d = int64_t(iterators.size()) - 1; d >= 0 && iterators[d] == utils::IteratorType::reduction; --d)
    dims.insert(dims.begin(), d);
  if (dims.size() < 2) return {};
  for (Value v : g->getOperands()) {
    auto t = dyn_cast<MemRefType>(v.getType());
    if (!t || !t.getLayout().isIdentity()) return {};
  }
  if (!linalg::areDimSequencesPreserved(g.getIndexingMapsArray(), {dims})) return {};
  return dims;
}

struct LoomVectorizeReductionsPass : loom::impl::LoomVectorizeReductionsBase<LoomVectorizeReductionsPass> {
  void runOnOperation() override {
    SmallVector<linalg::GenericOp> sums;
    getOperation()->walk([&](linalg::GenericOp g) {
      auto iterators = g.getIteratorTypesArray();
      if (g.getNumDpsInits() != 1 || iterators.empty() || iterators.back() != utils::IteratorType::reduction) return;
      Block &body = g.getRegion().front();
      auto yield = cast<linalg::YieldOp>(body.getTerminator());
      auto add = yield.getOperand(0).getDefiningOp<arith::AddFOp>();
      Value acc = body.getArgument(g.getNumDpsInputs());
      if (!add || (add.getLhs() != acc && add.getRhs() != acc)) return;
      add.setFastmathAttr(arith::FastMathFlagsAttr::get(g.getContext(), add.getFastmath() | arith::FastMathFlags::reassoc));
      sums.push_back(g);
    });
    IRRewriter rewriter(&getContext());
    for (linalg::GenericOp g : sums) {
      ReassociationIndices dims = trailingContiguousReductions(g);
      if (dims.empty()) continue;
      rewriter.setInsertionPoint(g);
      if (failed(linalg::collapseOpIterationDims(g, {dims}, rewriter))) continue;
      rewriter.eraseOp(g); // on buffers it has no results to replace
    }
  }
};
} // namespace
