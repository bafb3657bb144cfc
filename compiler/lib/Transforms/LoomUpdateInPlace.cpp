// -loom-update-in-place: parameter and optimizer-state updates are written
// into the buffers they replace.
#include "loom/Transforms/Passes.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"

namespace loom {
#define GEN_PASS_DEF_LOOMUPDATEINPLACE
#include "loom/Transforms/Passes.h.inc"
} // namespace loom

using namespace mlir;

namespace {
struct LoomUpdateInPlacePass : loom::impl::LoomUpdateInPlaceBase<LoomUpdateInPlacePass> {
  void runOnOperation() override {
    func::FuncOp fn = getOperation();
    if (fn.isExternal()) return;
    bool updates = false;
    for (unsigned i = 0; i < fn.getNumResults(); ++i) updates |= bool(fn.getResultAttr(i, "loom.update"));
    if (!updates) return; // forward exports keep their shared empties (and so their in-place reuse)
    // CSE merges identical tensor.empty ops; empty-tensor elimination would
    // then hand the parameter's buffer to every user of the shared one (e.g.
    // the gradient's zero fill). Give each use its own.
    fn.walk([](tensor::EmptyOp empty) {
      OpBuilder b(empty);
      for (OpOperand &use : llvm::make_early_inc_range(llvm::drop_begin(empty->getUses())))
        use.set(b.clone(*empty)->getResult(0));
    });
    llvm::StringMap<Value> args;
    for (unsigned i = 0; i < fn.getNumArguments(); ++i)
      for (StringRef kind : {"loom.param", "loom.state"})
        if (auto name = fn.getArgAttrOfType<StringAttr>(i, kind)) args[name.getValue()] = fn.getArgument(i);
    fn.walk([&](func::ReturnOp ret) {
      OpBuilder b(ret);
      for (unsigned i = 0; i < ret.getNumOperands(); ++i) {
        auto name = fn.getResultAttrOfType<StringAttr>(i, "loom.update");
        if (!name) continue;
        Value dest = args.lookup(name.getValue());
        if (!dest) {
          fn.emitError("result ") << i << " updates '" << name.getValue() << "', which is no argument";
          return signalPassFailure();
        }
        auto m = b.create<bufferization::MaterializeInDestinationOp>(ret.getLoc(), ret.getOperand(i), dest);
        ret.setOperand(i, m.getResult());
      }
    });
  }
};
} // namespace
