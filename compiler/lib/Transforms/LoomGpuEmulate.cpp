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

  LogicalResult emulate(gpu::LaunchOp l) {
    for (Value v : {l.getGridSizeY(), l.getGridSizeZ(), l.getBlockSizeY(), l.getBlockSizeZ()})
      if (!matchPattern(v, m_One())) return l.emitError("loom-gpu-emulate: only one-dimensional launches");
    Block &body = l.getBody().front();
    SmallVector<gpu::AllReduceOp> reduces;
    bool barrier = false;
    body.walk([&](Operation *op) {
      if (auto r = dyn_cast<gpu::AllReduceOp>(op)) reduces.push_back(r);
      barrier |= isa<gpu::BarrierOp>(op);
    });
    if (barrier || reduces.size() > 1 || (reduces.size() == 1 && reduces[0]->getBlock() != &body))
      return l.emitError("loom-gpu-emulate: a kernel with barriers or several (or nested) reductions");

    OpBuilder b(l);
    Location loc = l.getLoc();
    Value c0 = b.create<arith::ConstantIndexOp>(loc, 0), c1 = b.create<arith::ConstantIndexOp>(loc, 1);
    Value threads = l.getBlockSizeX();
    Value partials;
    if (!reduces.empty())
      partials = b.create<memref::AllocaOp>(loc, MemRefType::get({ShapedType::kDynamic}, reduces[0].getType()),
                                            ValueRange{threads});
    auto blocks = b.create<scf::ForOp>(loc, c0, l.getGridSizeX(), c1);
    b.setInsertionPointToStart(blocks.getBody());

    // Runs body ops [from, to) once per thread (the reduction itself is never
    // cloned: pass 2 maps its result), then `finish` in the same iteration.
    auto perThread = [&](Block::iterator from, Block::iterator to, auto prepare, auto finish) {
      auto loop = b.create<scf::ForOp>(loc, c0, threads, c1);
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(loop.getBody());
      IRMapping m;
      Value tx = loop.getInductionVar();
      m.map(l.getBlockIds().x, blocks.getInductionVar()), m.map(l.getBlockIds().y, c0), m.map(l.getBlockIds().z, c0);
      m.map(l.getThreadIds().x, tx), m.map(l.getThreadIds().y, c0), m.map(l.getThreadIds().z, c0);
      m.map(l.getGridSize().x, l.getGridSizeX()), m.map(l.getGridSize().y, c1), m.map(l.getGridSize().z, c1);
      m.map(l.getBlockSize().x, threads), m.map(l.getBlockSize().y, c1), m.map(l.getBlockSize().z, c1);
      prepare(m);
      for (Operation &op : llvm::make_range(from, to))
        if (!isa<gpu::TerminatorOp, gpu::AllReduceOp>(op)) b.clone(op, m);
      finish(m, tx);
    };
    auto none = [](IRMapping &) {};
    auto done = [](IRMapping &, Value) {};

    if (reduces.empty()) {
      perThread(body.begin(), body.end(), none, done);
    } else {
      gpu::AllReduceOp red = reduces[0];
      if (!red.getOp()) return red.emitError("loom-gpu-emulate: an all_reduce with a custom body");
      // Pass 1: every thread's operand.
      perThread(body.begin(), red->getIterator(), none, [&](IRMapping &m, Value tx) {
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
      perThread(body.begin(), body.end(), [&](IRMapping &m) { m.map(red.getResult(), total); }, done);
    }
    if (Value t = l.getAsyncToken()) t.replaceAllUsesWith(l.getAsyncDependencies().front());
    l.erase();
    return success();
  }
};

} // namespace
