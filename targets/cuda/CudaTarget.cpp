#include "cuda/CudaTarget.h"
#include "cpu/CpuTarget.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/Path.h"

#include <cstdlib>

namespace loom::cuda {

const char *const kKernelsPipeline =
    "loom-all-reduce-to-runtime,func.func(loom-linalg-to-gpu),gpu-kernel-outlining,loom-merge-gpu-modules,canonicalize,cse";

const char *const kEmulatorPipeline = "loom-all-reduce-to-runtime,func.func(loom-linalg-to-gpu,loom-gpu-emulate),canonicalize,cse";

std::string emulatorToLLVMPipeline() { return cpu::toLLVMPipeline(/*runtimeAllocs=*/true); }

// Kernels keep memref descriptors (views have offsets and strides); host
// functions take plain pointers, as on the CPU. Host allocations call
// _mlir_memref_to_llvm_alloc/free, which the runtime serves with
// device-visible (managed) memory.
std::string toLLVMPipeline(const std::string &chip, const std::string &libdevice) {
  return llvm::formatv(
             "lower-affine,convert-scf-to-cf,"
             "nvvm-attach-target{{chip={0} O=3 l={1}},"
             "gpu.module(loom-gpu-precise-sqrt,expand-strided-metadata,lower-affine,convert-gpu-to-nvvm,canonicalize,cse,"
             "reconcile-unrealized-casts),"
             "expand-strided-metadata,finalize-memref-to-llvm{{use-generic-functions},"
             "convert-arith-to-llvm,convert-index-to-llvm,convert-cf-to-llvm,"
             "convert-func-to-llvm{{use-bare-ptr-memref-call-conv},gpu-to-llvm,"
             "gpu-module-to-binary{{format=isa},reconcile-unrealized-casts,"
             "ensure-debug-info-scope-on-llvm-func",
             chip, libdevice)
      .str();
}

std::string findLibdevice(const std::string &toolkit) {
  std::vector<std::string> roots;
  if (!toolkit.empty()) roots.push_back(toolkit);
  else {
    if (const char *home = std::getenv("CUDA_HOME")) roots.push_back(home);
    roots.push_back("/usr/local/cuda");
    roots.push_back("/usr/lib/cuda");
  }
  for (auto &r : roots) {
    llvm::SmallString<128> p(r);
    llvm::sys::path::append(p, "nvvm", "libdevice", "libdevice.10.bc");
    if (llvm::sys::fs::exists(p)) return std::string(p);
  }
  return "";
}

std::string ptx(mlir::ModuleOp m) {
  std::string text;
  m.walk([&](mlir::gpu::BinaryOp binary) {
    for (mlir::Attribute a : binary.getObjects())
      if (auto object = llvm::dyn_cast<mlir::gpu::ObjectAttr>(a))
        text += object.getObject().getValue().rtrim('\0').str(); // embedded NUL-terminated, for the driver's JIT
  });
  return text;
}

} // namespace loom::cuda
