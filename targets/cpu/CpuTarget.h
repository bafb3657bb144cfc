// The CPU target's share of the pipeline (see compiler/lib/Driver/Lower.cpp).
#pragma once

#include "llvm/IR/Module.h"
#include "llvm/Support/raw_ostream.h"

#include <string>

namespace loom::cpu {

/// Elementwise fusion that leaves convolutions alone (-loom-fuse-elementwise).
extern const char *const kFusePipeline;

/// Every temporary a view of the export's arena (-loom-plan-arena).
extern const char *const kArenaPipeline;

/// Each linalg op on buffers becomes a call of a kernel function, one per
/// distinct kernel (-loom-outline-kernels).
extern const char *const kKernelsPipeline;

/// memrefs + linalg -> LLVM dialect, with plain-pointer arguments.
/// `runtimeAllocs`: allocations call the runtime (_mlir_memref_to_llvm_alloc/
/// free) instead of malloc/free (cuda::kEmulator's host code, in device memory).
std::string toLLVMPipeline(bool runtimeAllocs = false);

/// The target triple, CPU and features code is generated for; "native" is the host.
struct Machine {
  std::string triple, cpu, features;
};
Machine machineFor(const std::string &cpu);

/// Sets the module's triple and data layout and runs LLVM's O3 pipeline.
bool optimize(llvm::Module &m, const Machine &machine, std::string &error);

/// Writes assembly or an object file for `m`.
bool emitCode(llvm::Module &m, const Machine &machine, bool assembly, llvm::raw_ostream &out,
              std::string &error);

} // namespace loom::cpu
