// -loom-all-reduce-to-runtime: a data-parallel step's loom.all_reduce of
// buffers becomes calls of the runtime (runtime/src/distributed.cpp): one
// loom_rt_all_reduce_add per buffer, then loom_rt_all_reduce_wait. The
// runtime buckets the buffers, so the generated code needs no staging buffer
// of its own and the bucket size is a run-time setting.
#include "loom/Dialect/LoomOps.h"
#include "loom/Transforms/Passes.h"
#include "RuntimeCalls.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"

namespace loom {
#define GEN_PASS_DEF_LOOMALLREDUCETORUNTIME
#include "loom/Transforms/Passes.h.inc"
} // namespace loom

using namespace mlir;

namespace {

constexpr const char *kAddEntry = "loom_rt_all_reduce_add", *kWaitEntry = "loom_rt_all_reduce_wait";

/// `l` is row-major and dense: the buffer is its elements, one after another.
bool contiguous(const loom::Layout &l) {
  int64_t expected = 1;
  for (size_t d = l.shape.size(); d-- > 0;) {
    if (l.shape[d] != 1 && l.strides[d] != expected) return false;
    expected *= l.shape[d];
  }
  return true;
}

struct LoomAllReduceToRuntimePass : loom::impl::LoomAllReduceToRuntimeBase<LoomAllReduceToRuntimePass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<loom::AllReduceOp> ops;
    module.walk([&](loom::AllReduceOp op) { ops.push_back(op); });
    for (loom::AllReduceOp op : ops) {
      OpBuilder b(op);
      Location loc = op.getLoc();
      for (Value v : op.getValues()) {
        auto layout = loom::layoutOf(v);
        if (!layout || !contiguous(*layout)) {
          op.emitOpError("needs dense f32 buffers of static shape, got ") << v.getType();
          return signalPassFailure();
        }
        int64_t count = 1;
        for (int64_t d : layout->shape) count *= d;
        Value args[] = {loom::pointerTo(b, loc, v, layout->offset), b.create<arith::ConstantIntOp>(loc, count, 64)};
        b.create<func::CallOp>(loc, loom::runtimeEntry(module, kAddEntry, ValueRange(args).getTypes()), args);
      }
      b.create<func::CallOp>(loc, loom::runtimeEntry(module, kWaitEntry, {}), ValueRange{});
      op->erase();
    }
  }
};

} // namespace
