// The CUDA target's share of the pipeline (see compiler/lib/Driver/Lower.cpp):
// host code for the CPU (through targets/cpu) that launches PTX kernels
// embedded in the same object.
#pragma once

#include "mlir/IR/BuiltinOps.h"

#include <string>

namespace loom::cuda {

/// Every linalg op on buffers becomes a kernel; kernels are outlined into one
/// gpu.module per model.
extern const char *const kKernelsPipeline;

/// The cuda-emulator target: the same kernels, each run as loops on the CPU
/// (then lowered as CPU code, allocations through the runtime).
extern const char *const kEmulatorPipeline;

/// The cuda-emulator target's kernels (loops by now) and host code -> LLVM
/// dialect: the CPU's lowering, with allocations in the runtime's device memory.
std::string emulatorToLLVMPipeline();

/// Kernels -> NVVM -> PTX (embedded as a gpu.binary); host code -> LLVM
/// dialect, with plain-pointer arguments as on the CPU. `libdevice` is the
/// CUDA toolkit's libdevice.10.bc (math functions).
std::string toLLVMPipeline(const std::string &chip, const std::string &libdevice);

/// libdevice.10.bc under `toolkit` (or, when empty, under $CUDA_HOME,
/// /usr/local/cuda, /usr/lib/cuda); empty when there is none.
std::string findLibdevice(const std::string &toolkit);

/// The PTX text of the model's kernels (empty when it has none).
std::string ptx(mlir::ModuleOp m);

} // namespace loom::cuda
