// -loom-merge-gpu-modules: every kernel in one gpu.module.
#include "loom/Transforms/Passes.h"

namespace loom {
#define GEN_PASS_DEF_LOOMMERGEGPUMODULES
#include "loom/Transforms/Passes.h.inc"
} // namespace loom

using namespace mlir;

namespace {
struct LoomMergeGpuModulesPass : loom::impl::LoomMergeGpuModulesBase<LoomMergeGpuModulesPass> {
  void runOnOperation() override {
    ModuleOp m = getOperation();
    auto modules = llvm::to_vector(m.getOps<gpu::GPUModuleOp>());
    if (modules.size() < 2) return;
    gpu::GPUModuleOp target = modules.front();
    SymbolTable table(target);
    // Old (module, kernel) -> new kernel name in `target`.
    llvm::DenseMap<std::pair<StringAttr, StringAttr>, StringAttr> renamed;
    for (gpu::GPUModuleOp src : llvm::drop_begin(modules)) {
      for (auto fn : llvm::make_early_inc_range(src.getOps<gpu::GPUFuncOp>())) {
        StringAttr oldName = fn.getNameAttr();
        fn->remove();
        // Outlined kernels share their module's name, which is unique in `m`.
        if (table.lookup(fn.getName())) fn.setName(src.getName());
        table.insert(fn);
        renamed[{src.getNameAttr(), oldName}] = fn.getNameAttr();
      }
      if (!src.getBody()->without_terminator().empty()) {
        src.emitError("loom-merge-gpu-modules: a gpu.module holds more than kernels");
        return signalPassFailure();
      }
      src.erase();
    }
    m.walk([&](gpu::LaunchFuncOp launch) {
      auto it = renamed.find({launch.getKernelModuleName(), launch.getKernelName()});
      if (it == renamed.end()) return;
      launch.setKernelAttr(SymbolRefAttr::get(target.getNameAttr(), {FlatSymbolRefAttr::get(it->second)}));
    });
  }
};
} // namespace
