// -loom-gpu-emulate: gpu.launch as CPU loops, to check kernels without a GPU.
#include "loom/Transforms/Passes.h"

#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Matchers.h"

namespace loom {
#define GEN_PASS_DEF_LOOMGPUEMULATE
#include "loom/Transforms/Passes.h.inc"
} // namespace loom

using namespace mlir;

namespace {

/// The arith op gpu.all_reduce's `kind` combines with.
FailureOr<Value> combine(OpBuilder &b, Location loc, gpu::AllReduceOperation kind, Value x, Value y) {
  bool f = isa<FloatType>(x.getType());
  using K = gpu::AllReduceOperation;
  switch (kind) {
  case K::ADD: return f ? b.create<arith::AddFOp>(loc, x, y).getResult() : b.create<arith::AddIOp>(loc, x, y).getResult();
  case K::MUL: return f ? b.create<arith::MulFOp>(loc, x, y).getResult() : b.create<arith::MulIOp>(loc, x, y).getResult();
  case K::MAXIMUMF: return b.create<arith::MaximumFOp>(loc, x, y).getResult();
  case K::MINIMUMF: return b.create<arith::MinimumFOp>(loc, x, y).getResult();
  case K::MAXNUMF: return b.create<arith::MaxNumFOp>(loc, x, y).getResult();
  case K::MINNUMF: return b.create<arith::MinNumFOp>(loc, x, y).getResult();
  default: return failure();
  }
}

struct LoomGpuEmulatePass : loom::impl::LoomGpuEmulateBase<LoomGpuEmulatePass> {
  void runOnOperation() override {
    SmallVector<gpu::LaunchOp> launches;
    getOperation().walk([&](gpu::LaunchOp l) { launches.push_back(l); });
    for (auto l : launches)
      if (failed(emulate(l))) return signalPassFailure();
    // Stream order is program order here: copies become plain copies, tokens go.
    SmallVector<gpu::MemcpyOp> copies;
    getOperation().walk([&](gpu::MemcpyOp c) { copies.push_back(c); });
    for (auto c : copies) {
      OpBuilder b(c);
      b.create<memref::CopyOp>(c.getLoc(), c.getSrc(), c.getDst());
      if (Value t = c.getAsyncToken()) t.replaceAllUsesWith(c.getAsyncDependencies().front());
      c.erase();
    }
    SmallVector<gpu::WaitOp> waits;
    getOperation().walk([&](gpu::WaitOp w) { waits.push_back(w); });
    for (auto w : llvm::reverse(waits)) // users (later) first
      if (!w.getAsyncToken() || w.getAsyncToken().use_empty()) w.erase();
  }

  /// Ops that store: run once per thread and phase, never recomputed.
  static bool writes(Operation *op) {
    return op->walk([](Operation *o) {
               return isa<memref::StoreOp, gpu::BarrierOp>(o) ? WalkResult::interrupt() : WalkResult::advance();
             }).wasInterrupted();
  }

  LogicalResult emulate(gpu::LaunchOp l) {
    for (Value v : {l.getGridSizeY(), l.getGridSizeZ(), l.getBlockSizeY(), l.getBlockSizeZ()})
      if (!matchPattern(v, m_One())) return l.emitError("loom-gpu-emulate: only one-dimensional launches");
    if (!l.getPrivateAttributions().empty()) return l.emitError("loom-gpu-emulate: private memory");
    Block &body = l.getBody().front();
    SmallVector<gpu::AllReduceOp> reduces;
    SmallVector<gpu::BarrierOp> barriers;
    body.walk([&](Operation *op) {
      if (auto r = dyn_cast<gpu::AllReduceOp>(op)) reduces.push_back(r);
      if (auto r = dyn_cast<gpu::BarrierOp>(op)) barriers.push_back(r);
    });
    // Barriers are supported inside one top-level loop (a tiled kernel's k loop).
    scf::ForOp phased = barriers.empty() ? nullptr : dyn_cast<scf::ForOp>(barriers[0]->getParentOp());
    bool ok = reduces.size() + (phased ? 1 : 0) <= 1 && (reduces.empty() || reduces[0]->getBlock() == &body) &&
              (barriers.empty() || (phased && phased->getBlock() == &body &&
                                    llvm::all_of(barriers, [&](auto b) { return b->getParentOp() == phased; })));
    if (!ok) return l.emitError("loom-gpu-emulate: a kernel with barriers or several (or nested) reductions");

    OpBuilder b(l);
    Location loc = l.getLoc();
    Value c0 = b.create<arith::ConstantIndexOp>(loc, 0), c1 = b.create<arith::ConstantIndexOp>(loc, 1);
    Value threads = l.getBlockSizeX();
    // Per-block shared memory, and per-thread arrays for values that cross a phase.
    IRMapping base;
    for (Value w : l.getWorkgroupAttributions()) {
      auto t = cast<MemRefType>(w.getType());
      base.map(w, b.create<memref::AllocaOp>(loc, MemRefType::get(t.getShape(), t.getElementType())));
    }
    auto perThreadArray = [&](Type t) {
      return b.create<memref::AllocaOp>(loc, MemRefType::get({ShapedType::kDynamic}, t), ValueRange{threads}).getResult();
    };
    Value partials = reduces.empty() ? Value() : perThreadArray(reduces[0].getType());
    SmallVector<Value> carried;
    if (phased)
      for (Value v : phased.getRegionIterArgs()) carried.push_back(perThreadArray(v.getType()));
    // A phased loop's bounds, at block level (constants are cloned out of the kernel).
    SmallVector<Value> bounds;
    if (phased)
      for (Value v : {phased.getLowerBound(), phased.getUpperBound(), phased.getStep()}) {
        if (!l.getBody().isAncestor(v.getParentRegion())) bounds.push_back(v);
        else if (auto c = v.getDefiningOp<arith::ConstantOp>()) bounds.push_back(b.clone(*c)->getResult(0));
        else return l.emitError("loom-gpu-emulate: a phased loop with bounds computed in the kernel");
      }
    auto blocks = b.create<scf::ForOp>(loc, c0, l.getGridSizeX(), c1);
    b.setInsertionPointToStart(blocks.getBody());

    // Runs `ops` once per thread (the reduction itself is never cloned: its
    // result is mapped by `prepare`), then `finish` in the same iteration.
    auto perThread = [&](ArrayRef<Operation *> ops, auto prepare, auto finish) {
      auto loop = b.create<scf::ForOp>(loc, c0, threads, c1);
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(loop.getBody());
      IRMapping m = base;
      Value tx = loop.getInductionVar();
      m.map(l.getBlockIds().x, blocks.getInductionVar()), m.map(l.getBlockIds().y, c0), m.map(l.getBlockIds().z, c0);
      m.map(l.getThreadIds().x, tx), m.map(l.getThreadIds().y, c0), m.map(l.getThreadIds().z, c0);
      m.map(l.getGridSize().x, l.getGridSizeX()), m.map(l.getGridSize().y, c1), m.map(l.getGridSize().z, c1);
      m.map(l.getBlockSize().x, threads), m.map(l.getBlockSize().y, c1), m.map(l.getBlockSize().z, c1);
      prepare(m, tx);
      for (Operation *op : ops)
        if (!isa<gpu::TerminatorOp, gpu::AllReduceOp, gpu::BarrierOp, scf::YieldOp>(op)) b.clone(*op, m);
      finish(m, tx);
    };
    auto none = [](IRMapping &, Value) {};
    auto range = [](Block::iterator from, Block::iterator to) {
      SmallVector<Operation *> ops;
      for (Operation &op : llvm::make_range(from, to)) ops.push_back(&op);
      return ops;
    };
    // Ops of `ops` whose values a later phase may use: those that do not store.
    auto recomputable = [](ArrayRef<Operation *> ops) {
      SmallVector<Operation *> out;
      for (Operation *op : ops)
        if (!writes(op)) out.push_back(op);
      return out;
    };

    if (reduces.empty() && !phased) {
      perThread(range(body.begin(), body.end()), none, none);
    } else if (!reduces.empty()) {
      gpu::AllReduceOp red = reduces[0];
      if (!red.getOp()) return red.emitError("loom-gpu-emulate: an all_reduce with a custom body");
      auto before = range(body.begin(), red->getIterator());
      if (before.size() != recomputable(before).size())
        return red.emitError("loom-gpu-emulate: stores before a reduction");
      // Pass 1: every thread's operand.
      perThread(before, none, [&](IRMapping &m, Value tx) {
        b.create<memref::StoreOp>(loc, m.lookup(red.getValue()), partials, tx);
      });
      // The block-wide result, combined in thread order.
      Value first = b.create<memref::LoadOp>(loc, partials, c0);
      auto fold = b.create<scf::ForOp>(loc, c1, threads, c1, ValueRange{first});
      {
        OpBuilder::InsertionGuard guard(b);
        b.setInsertionPointToStart(fold.getBody());
        Value v = b.create<memref::LoadOp>(loc, partials, fold.getInductionVar());
        auto acc = combine(b, loc, *red.getOp(), fold.getRegionIterArgs()[0], v);
        if (failed(acc)) return red.emitError("loom-gpu-emulate: unsupported reduction kind");
        b.create<scf::YieldOp>(loc, *acc);
      }
      // Pass 2: the whole kernel, with the total.
      Value total = fold.getResult(0);
      perThread(range(body.begin(), body.end()), [&](IRMapping &m, Value) { m.map(red.getResult(), total); }, none);
    } else {
      // Phases split at the barriers of `phased`: every thread runs a phase
      // before any runs the next. Values crossing phases are recomputed (the
      // ops that do not store) or, for the loop's carried values, kept per thread.
      auto prelude = range(body.begin(), phased->getIterator());
      auto epilogue = range(std::next(phased->getIterator()), body.end());
      perThread(prelude, none, [&](IRMapping &m, Value tx) {
        for (auto [init, array] : llvm::zip(phased.getInitArgs(), carried))
          b.create<memref::StoreOp>(loc, m.lookupOrDefault(init), array, tx);
      });
      auto steps = b.create<scf::ForOp>(loc, bounds[0], bounds[1], bounds[2]);
      {
        OpBuilder::InsertionGuard guard(b);
        b.setInsertionPointToStart(steps.getBody());
        SmallVector<SmallVector<Operation *>> phases(1);
        for (Operation &op : *phased.getBody()) {
          if (isa<gpu::BarrierOp>(op)) phases.emplace_back();
          else phases.back().push_back(&op);
        }
        SmallVector<Operation *> earlier = recomputable(prelude);
        for (auto [p, ops] : llvm::enumerate(phases)) {
          SmallVector<Operation *> run = earlier;
          run.append(ops.begin(), ops.end());
          bool last = p + 1 == phases.size();
          perThread(
              run,
              [&](IRMapping &m, Value tx) {
                m.map(phased.getInductionVar(), steps.getInductionVar());
                for (auto [arg, array] : llvm::zip(phased.getRegionIterArgs(), carried))
                  m.map(arg, b.create<memref::LoadOp>(loc, array, tx));
              },
              [&](IRMapping &m, Value tx) {
                if (!last) return;
                for (auto [v, array] : llvm::zip(phased.getBody()->getTerminator()->getOperands(), carried))
                  b.create<memref::StoreOp>(loc, m.lookupOrDefault(v), array, tx);
              });
          auto keep = recomputable(ops);
          earlier.append(keep.begin(), keep.end());
        }
      }
      SmallVector<Operation *> run = recomputable(prelude);
      run.append(epilogue.begin(), epilogue.end());
      perThread(
          run,
          [&](IRMapping &m, Value tx) {
            for (auto [r, array] : llvm::zip(phased.getResults(), carried)) m.map(r, b.create<memref::LoadOp>(loc, array, tx));
          },
          none);
    }
    if (Value t = l.getAsyncToken()) t.replaceAllUsesWith(l.getAsyncDependencies().front());
    l.erase();
    return success();
  }
};

} // namespace
