// -loom-gpu-precise-sqrt: math.sqrt in kernels as a call of the llvm.sqrt
// intrinsic (sqrt.rn on NVPTX), not libdevice's __nv_sqrtf, which LLVM 19
// resolves to sqrt.approx. (llvm.intr.sqrt itself is what convert-gpu-to-nvvm
// marks illegal, so the intrinsic is named through llvm.call_intrinsic.)
#include "loom/Transforms/Passes.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"

namespace loom {
#define GEN_PASS_DEF_LOOMGPUPRECISESQRT
#include "loom/Transforms/Passes.h.inc"
} // namespace loom

using namespace mlir;

namespace {
struct LoomGpuPreciseSqrtPass : loom::impl::LoomGpuPreciseSqrtBase<LoomGpuPreciseSqrtPass> {
  void runOnOperation() override {
    getOperation().walk([](math::SqrtOp op) {
      OpBuilder b(op); // every float type: f16 would otherwise go through __nv_sqrtf too
      auto call = b.create<LLVM::CallIntrinsicOp>(op.getLoc(), op.getType(), b.getStringAttr("llvm.sqrt"),
                                                  ValueRange{op.getOperand()});
      op.replaceAllUsesWith(call.getResults());
      op.erase();
    });
  }
};
} // namespace
