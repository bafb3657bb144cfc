// -loom-plan-arena: every temporary buffer of an export becomes a view of one
// arena, at an offset planned from the buffers' lifetimes (decreasing size,
// best fit: XLA's heap simulator's global strategy). The runtime allocates each
// export's arena once per Model, so a step does no malloc, free or first-touch
// page fault after the first; buffers whose lifetimes do not overlap share
// memory; and the plan's size is known before anything runs. It also sums
// the activations a train step keeps for its backward pass (loom.saved_bytes):
// the buffers written before the backward starts and read after, as fusion and
// bufferization left them (what is recomputed inside a fused kernel is not kept).
#include "loom/Transforms/Passes.h"
#include "BackwardNames.h"
#include "BufferViews.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "llvm/Support/Debug.h"

#define DEBUG_TYPE "loom-plan-arena"

namespace loom {
#define GEN_PASS_DEF_LOOMPLANARENA
#include "loom/Transforms/Passes.h.inc"
} // namespace loom

using namespace mlir;

namespace {

constexpr int64_t kAlign = 64; // a cache line, an AVX-512 vector; the runtime's Buffer alignment

struct Interval {
  memref::AllocOp alloc;
  int64_t first, last, bytes, offset = -1;
};

/// The first and last top-level ops of `body` that read or write `alloc` or a
/// view of it (making a view is no use: it touches no memory). A buffer's life
/// starts at its first use, not where it is allocated: bufferization puts the
/// allocation where the tensor.empty was, and CSE merges identical
/// tensor.empty ops into the first one, so a backward buffer may be allocated
/// thousands of ops before it is written. Fails when a view escapes through
/// the function's return.
FailureOr<std::pair<int64_t, int64_t>> useRange(memref::AllocOp alloc, Block &body,
                                                const DenseMap<Operation *, int64_t> &pos) {
  int64_t first = INT64_MAX, last = pos.lookup(alloc);
  SmallVector<Value> work{alloc.getResult()};
  while (!work.empty()) {
    Value v = work.pop_back_val();
    for (OpOperand &use : v.getUses()) {
      Operation *user = use.getOwner();
      if (isa<func::ReturnOp>(user)) return failure();
      if (loom::viewedBuffer(user) == v) {
        work.append(user->result_begin(), user->result_end());
        continue;
      }
      int64_t at = pos.lookup(body.findAncestorOpInBlock(*user));
      first = std::min(first, at), last = std::max(last, at);
    }
  }
  if (first == INT64_MAX) first = last = pos.lookup(alloc); // never used: a point
  return std::make_pair(first, last);
}

struct LoomPlanArenaPass : loom::impl::LoomPlanArenaBase<LoomPlanArenaPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    OpBuilder b(module.getContext());
    for (func::FuncOp fn : llvm::to_vector(module.getOps<func::FuncOp>())) {
      if (fn.isExternal() || fn.isPrivate()) continue;
      if (failed(plan(fn, b))) return signalPassFailure();
    }
  }

  LogicalResult plan(func::FuncOp fn, OpBuilder &b) {
    if (!fn.getBody().hasOneBlock())
      return fn.emitError("loom-plan-arena: an export with control flow (its buffers' lifetimes are not a sequence)");
    Block &body = fn.getBody().front();
    DenseMap<Operation *, int64_t> pos;
    int64_t i = 0;
    for (Operation &op : body) pos[&op] = i++;
    std::vector<Interval> buffers;
    WalkResult walk = fn.walk([&](Operation *op) {
      if (isa<memref::DeallocOp>(op)) return op->emitError("loom-plan-arena: buffers are already freed explicitly"), WalkResult::interrupt();
      auto alloc = dyn_cast<memref::AllocOp>(op);
      if (!alloc) return WalkResult::advance();
      MemRefType t = alloc.getType();
      if (alloc->getBlock() != &body || !t.hasStaticShape() || !t.getLayout().isIdentity())
        return alloc.emitError("loom-plan-arena: a buffer that is not a static, top-level allocation"), WalkResult::interrupt();
      auto range = useRange(alloc, body, pos);
      if (failed(range)) return alloc.emitError("loom-plan-arena: a temporary is returned"), WalkResult::interrupt();
      int64_t bits = t.getElementType().getIntOrFloatBitWidth();
      int64_t bytes = t.getNumElements() * ((bits + 7) / 8);
      buffers.push_back({alloc, range->first, range->second, (bytes + kAlign - 1) / kAlign * kAlign});
      return WalkResult::advance();
    });
    if (walk.wasInterrupted()) return failure();

    // Largest first; each at the lowest offset of the smallest gap among the
    // buffers already placed whose lifetimes overlap its own.
    std::vector<Interval *> order;
    for (Interval &v : buffers) order.push_back(&v);
    std::stable_sort(order.begin(), order.end(), [](Interval *a, Interval *c) { return a->bytes > c->bytes; });
    int64_t arena = 0, total = 0;
    std::vector<Interval *> placed;
    for (Interval *v : order) {
      std::vector<std::pair<int64_t, int64_t>> busy; // [offset, end) of overlapping lifetimes
      for (Interval *p : placed)
        if (p->first <= v->last && v->first <= p->last) busy.push_back({p->offset, p->offset + p->bytes});
      std::sort(busy.begin(), busy.end());
      int64_t best = -1, bestGap = INT64_MAX, cursor = 0;
      for (auto [start, end] : busy) {
        if (start - cursor >= v->bytes && start - cursor < bestGap) best = cursor, bestGap = start - cursor;
        cursor = std::max(cursor, end);
      }
      v->offset = best >= 0 ? best : cursor;
      arena = std::max(arena, v->offset + v->bytes);
      total += v->bytes;
      placed.push_back(v);
    }

    // The backward starts at the first computation named by -loom-autodiff
    // (allocations, views and constants may carry such names from wherever
    // CSE merged them; they compute nothing).
    int64_t backwardStart = -1;
    for (Operation &op : body) {
      if (isa<memref::AllocOp, arith::ConstantOp, linalg::FillOp>(op) || loom::viewedBuffer(&op)) continue;
      if (loom::isBackwardLoc(op.getLoc())) {
        backwardStart = pos[&op];
        break;
      }
    }
    if (backwardStart >= 0) {
      int64_t saved = 0;
      for (const Interval &v : buffers)
        if (v.first < backwardStart && backwardStart <= v.last) saved += v.bytes;
      fn->setAttr("loom.saved_bytes", b.getI64IntegerAttr(saved));
    }

    // The arena is the export's last argument; each allocation a view of it.
    auto arenaType = MemRefType::get({arena}, b.getIntegerType(8));
    unsigned argIndex = fn.getNumArguments();
    // No other argument points into it, and the runtime's buffers are 64-byte aligned.
    auto attrs = b.getDictionaryAttr({b.getNamedAttr("loom.arena", b.getUnitAttr()),
                                      b.getNamedAttr(LLVM::LLVMDialect::getNoAliasAttrName(), b.getUnitAttr()),
                                      b.getNamedAttr(LLVM::LLVMDialect::getAlignAttrName(), b.getI64IntegerAttr(kAlign))});
    fn.insertArgument(argIndex, arenaType, attrs, fn.getLoc());
    Value arg = body.getArgument(argIndex);
    for (Interval &v : buffers) {
      b.setInsertionPoint(v.alloc);
      Value offset = b.create<arith::ConstantIndexOp>(v.alloc.getLoc(), v.offset);
      Value view = b.create<memref::ViewOp>(v.alloc.getLoc(), v.alloc.getType(), arg, offset, ValueRange{});
      v.alloc.replaceAllUsesWith(view);
      v.alloc.erase();
    }
    // Its size, for the runtime: `<export>_arena_bytes`.
    b.setInsertionPointAfter(fn);
    b.create<LLVM::GlobalOp>(fn.getLoc(), b.getI64Type(), /*isConstant=*/true, LLVM::Linkage::External,
                             (fn.getName() + "_arena_bytes").str(), b.getI64IntegerAttr(arena));
    fn->setAttr("loom.arena_bytes", b.getI64IntegerAttr(arena));
    LLVM_DEBUG(llvm::dbgs() << "loom-plan-arena: " << fn.getName() << ": " << buffers.size() << " buffers, "
                            << total << " bytes -> arena of " << arena << " bytes\n");
    return success();
  }
};

} // namespace
