// -loom-parallel-kernels: each outlined CPU kernel with enough work runs on
// the runtime's threads, split along one parallel loop.
//
// Why here, on outlined kernels: a kernel function holds one linalg op whose
// operands are its arguments, so a slice of its iteration space is the same op
// on subviews of those arguments, and a call through the runtime can hand each
// thread its range. Every output element is computed by one thread in the
// same loop order as before, so results are bit-identical for any thread
// count (no reduction is split).
#include "loom/Transforms/Passes.h"
#include "RuntimeCalls.h"
#include "loom/rt/ukernels.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Utils/Utils.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/Matchers.h"
#include "llvm/Support/Debug.h"

#define DEBUG_TYPE "loom-parallel-kernels"

namespace loom {
#define GEN_PASS_DEF_LOOMPARALLELKERNELS
#include "loom/Transforms/Passes.h.inc"
} // namespace loom

using namespace mlir;

namespace {

constexpr const char *kEntry = "loom_rt_parallel_for";

/// The one linalg op of an outlined kernel (its other ops constants), or null.
linalg::LinalgOp kernelOp(func::FuncOp fn) {
  if (fn.isExternal() || !fn.isPrivate() || fn.getNumResults() || !fn.getBody().hasOneBlock()) return {};
  linalg::LinalgOp found;
  for (Operation &op : fn.getBody().front()) {
    if (auto l = dyn_cast<linalg::LinalgOp>(op)) {
      if (found || !l.hasPureBufferSemantics()) return {};
      found = l;
    } else if (!isa<func::ReturnOp>(op) && !matchPattern(&op, m_Constant())) {
      return {};
    }
  }
  return found;
}

/// The loop to split: a parallel one that every operand indexes by itself (or
/// not at all, inputs only), so a range of it is a subview of each operand.
/// The outermost with at least `threads` iterations, else the longest.
std::optional<unsigned> splitLoop(linalg::LinalgOp op, ArrayRef<int64_t> ranges, int64_t threads) {
  std::optional<unsigned> best;
  for (unsigned d = 0; d < ranges.size(); ++d) {
    if (!linalg::isParallelIterator(op.getIteratorTypesArray()[d]) || ranges[d] < 2) continue;
    bool sliceable = llvm::all_of(op->getOpOperands(), [&](OpOperand &o) {
      if (!isa<MemRefType>(o.get().getType())) return true; // a scalar input
      AffineMap map = op.getMatchingIndexingMap(&o);
      unsigned bare = 0;
      for (AffineExpr e : map.getResults())
        if (e.isFunctionOfDim(d)) {
          if (e != getAffineDimExpr(d, op.getContext())) return false;
          ++bare;
        }
      return bare == 1 || (bare == 0 && !op.isDpsInit(&o));
    });
    if (!sliceable) continue;
    if (ranges[d] >= threads) return d;
    if (!best || ranges[d] > ranges[*best]) best = d;
  }
  return best;
}

struct LoomParallelKernelsPass : loom::impl::LoomParallelKernelsBase<LoomParallelKernelsPass> {
  using LoomParallelKernelsBase::LoomParallelKernelsBase;

  unsigned split = 0;

  /// `part`: the kernel's op restricted to [lo, hi) of loop `d`, on subviews.
  /// Scalar arguments arrive as 0-d buffers (everything the runtime passes
  /// is a pointer).
  void restrict(func::FuncOp part, unsigned d) {
    linalg::LinalgOp op = kernelOp(part);
    OpBuilder b(part.getContext());
    Block &entry = part.getBody().front();
    b.setInsertionPointToStart(&entry);
    for (BlockArgument a : entry.getArguments()) {
      if (isa<MemRefType>(a.getType())) continue;
      a.setType(MemRefType::get({}, a.getType()));
      Value v = b.create<memref::LoadOp>(part.getLoc(), a);
      a.replaceAllUsesExcept(v, v.getDefiningOp());
    }
    part.setType(b.getFunctionType(entry.getArgumentTypes(), {}));
    unsigned n = entry.getNumArguments();
    part.insertArgument(n, b.getIndexType(), {}, part.getLoc());
    part.insertArgument(n + 1, b.getIndexType(), {}, part.getLoc());
    Value lo = entry.getArgument(n), hi = entry.getArgument(n + 1);

    Location loc = op.getLoc();
    b.setInsertionPoint(op);
    Value size = b.create<arith::SubIOp>(loc, hi, lo);
    SmallVector<Value> operands;
    for (OpOperand &o : op->getOpOperands()) {
      auto type = dyn_cast<MemRefType>(o.get().getType());
      AffineMap map = op.getMatchingIndexingMap(&o);
      std::optional<unsigned> at = map.getResultPosition(getAffineDimExpr(d, b.getContext()));
      if (!type || !at) {
        operands.push_back(o.get());
        continue;
      }
      SmallVector<OpFoldResult> offsets(type.getRank(), b.getIndexAttr(0)), sizes, strides(type.getRank(), b.getIndexAttr(1));
      for (int64_t s : type.getShape()) sizes.push_back(b.getIndexAttr(s));
      offsets[*at] = lo, sizes[*at] = size;
      operands.push_back(b.create<memref::SubViewOp>(loc, o.get(), offsets, sizes, strides));
    }
    Operation *sliced = b.clone(*op);
    sliced->setOperands(operands);
    // linalg.index inside the body counts from the slice's start: shift it back.
    SmallVector<OpFoldResult> shifts(op.getNumLoops(), b.getIndexAttr(0));
    shifts[d] = lo;
    linalg::offsetIndices(b, cast<linalg::LinalgOp>(sliced), shifts);
    op->erase();
  }

  /// The kernel's body becomes loom_rt_parallel_for(part, args, nargs, n, grain).
  void dispatch(func::FuncOp kernel, func::FuncOp part, int64_t n, int64_t grain, ModuleOp module) {
    Location loc = kernel.getLoc();
    Block &entry = kernel.getBody().front();
    SmallVector<Operation *> body;
    for (Operation &op : entry.without_terminator()) body.push_back(&op);
    for (Operation *op : llvm::reverse(body)) op->erase(); // users before what they use
    OpBuilder b = OpBuilder::atBlockBegin(&entry);
    Type ptr = LLVM::LLVMPointerType::get(b.getContext());
    auto i64c = [&](int64_t v) { return b.create<arith::ConstantIntOp>(loc, v, 64); };
    Value args = b.create<LLVM::AllocaOp>(loc, ptr, ptr, i64c(std::max<int64_t>(entry.getNumArguments(), 1)));
    for (BlockArgument a : entry.getArguments()) {
      Value buffer = a;
      if (!isa<MemRefType>(a.getType())) {
        buffer = b.create<memref::AllocaOp>(loc, MemRefType::get({}, a.getType()));
        b.create<memref::StoreOp>(loc, a, buffer);
      }
      Value p = loom::alignedPointer(b, loc, buffer);
      Value slot = b.create<LLVM::GEPOp>(loc, ptr, ptr, args, ArrayRef<LLVM::GEPArg>{LLVM::GEPArg(int32_t(a.getArgNumber()))});
      b.create<LLVM::StoreOp>(loc, p, slot);
    }
    Value fn = b.create<func::ConstantOp>(loc, part.getFunctionType(), SymbolRefAttr::get(part));
    Value fnPtr = b.create<UnrealizedConversionCastOp>(loc, ptr, fn).getResult(0);
    SmallVector<Value> operands{fnPtr, args, i64c(entry.getNumArguments()), i64c(n), i64c(grain)};
    b.create<func::CallOp>(loc, loom::runtimeEntry(module, kEntry, ValueRange(operands).getTypes()), operands);
  }

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTable symbols(module);
    for (func::FuncOp kernel : llvm::to_vector(module.getOps<func::FuncOp>())) {
      linalg::LinalgOp op = kernelOp(kernel);
      if (!op || kernel.getNumArguments() > LOOM_RT_PARALLEL_FOR_MAX_ARGS) continue;
      SmallVector<int64_t> ranges = op.getStaticLoopRanges();
      if (ranges.empty() || llvm::any_of(ranges, ShapedType::isDynamic)) continue;
      int64_t work = 1;
      for (int64_t r : ranges) work *= r;
      if (work < 2 * minWork) continue;
      std::optional<unsigned> d = splitLoop(op, ranges, maxThreads);
      if (!d) continue;
      int64_t n = ranges[*d], perIteration = work / n;
      int64_t grain = std::max<int64_t>(1, (minWork + perIteration - 1) / perIteration);
      if (grain >= n) continue;

      func::FuncOp part = kernel.clone();
      part.setName((kernel.getName() + "_part").str());
      symbols.insert(part);
      restrict(part, *d);
      dispatch(kernel, part, n, grain, module);
      ++split;
    }
    LLVM_DEBUG(llvm::dbgs() << "loom-parallel-kernels: " << split << " kernels split\n");
  }
};

} // namespace
