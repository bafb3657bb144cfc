// The CUDA driver API, loaded with dlopen (no CUDA at build or link time):
// what the rest of the runtime's CUDA layer (allocator.cpp, device.cpp,
// host_abi.cpp) shares. Internal to the runtime.
#pragma once

#include "loom/rt/error.hpp"

#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>

namespace loom::rt::cuda_driver {

// The few driver types and constants used (cuda.h is not needed to build).
using CUresult = int;
using CUdevice = int;
using CUdeviceptr = unsigned long long;
using CUcontext = void *;
using CUmodule = void *;
using CUfunction = void *;
using CUstream = void *;
constexpr int kComputeMajor = 75, kComputeMinor = 76, kManagedMemory = 83; // CUdevice_attribute
constexpr int kJitErrorLog = 5, kJitErrorLogSize = 6, kJitOptLevel = 7;      // CUjit_option
constexpr unsigned kAttachGlobal = 1;                                         // CU_MEM_ATTACH_GLOBAL
constexpr int kPointerMemoryType = 2, kMemoryTypeHost = 1;                    // CU_POINTER_ATTRIBUTE_MEMORY_TYPE
constexpr CUresult kNotReady = 600;                                           // CUDA_ERROR_NOT_READY

struct Driver {
#define LOOM_CU(name, ...) CUresult (*name)(__VA_ARGS__) = nullptr;
  LOOM_CU(cuInit, unsigned)
  LOOM_CU(cuDeviceGetCount, int *)
  LOOM_CU(cuDeviceGet, CUdevice *, int)
  LOOM_CU(cuDeviceGetName, char *, int, CUdevice)
  LOOM_CU(cuDeviceGetAttribute, int *, int, CUdevice)
  LOOM_CU(cuDeviceTotalMem_v2, std::size_t *, CUdevice)
  LOOM_CU(cuDevicePrimaryCtxRetain, CUcontext *, CUdevice)
  LOOM_CU(cuCtxSetCurrent, CUcontext)
  LOOM_CU(cuCtxSynchronize)
  LOOM_CU(cuModuleLoadDataEx, CUmodule *, const void *, unsigned, int *, void **)
  LOOM_CU(cuModuleGetFunction, CUfunction *, CUmodule, const char *)
  LOOM_CU(cuLaunchKernel, CUfunction, unsigned, unsigned, unsigned, unsigned, unsigned, unsigned, unsigned, CUstream,
          void **, void **)
  LOOM_CU(cuStreamCreate, CUstream *, unsigned)
  LOOM_CU(cuStreamSynchronize, CUstream)
  LOOM_CU(cuStreamQuery, CUstream)
  LOOM_CU(cuPointerGetAttribute, void *, int, CUdeviceptr)
  LOOM_CU(cuMemAllocManaged, CUdeviceptr *, std::size_t, unsigned)
  LOOM_CU(cuMemFree_v2, CUdeviceptr)
  LOOM_CU(cuMemGetInfo_v2, std::size_t *, std::size_t *)
  LOOM_CU(cuMemcpyAsync, CUdeviceptr, CUdeviceptr, std::size_t, CUstream)
  LOOM_CU(cuMemsetD32Async, CUdeviceptr, unsigned, std::size_t, CUstream)
  LOOM_CU(cuMemsetD16Async, CUdeviceptr, unsigned short, std::size_t, CUstream)
  LOOM_CU(cuGetErrorName, CUresult, const char **)
  LOOM_CU(cuGetErrorString, CUresult, const char **)
#undef LOOM_CU

  std::string error; // empty once usable
  CUdevice device = 0;
  CUcontext context = nullptr;
  CUstream stream = nullptr;
  int ordinal = 0;

  Driver(); // loads libcuda.so.1 and starts the device; `error` says why not

  /// The driver's name and text for an error code.
  std::string describe(CUresult r) const;
};

/// LOOM_CUDA_EMULATOR=1: Device::cuda runs code built for the cuda-emulator
/// target (kernels as CPU loops) in host memory; no driver is loaded.
bool emulated();

/// The one driver of the process (loaded at first use).
Driver &driver();

/// The driver, usable from this thread, or an Error saying why not.
Driver &ready();

/// Throws an Error naming `what` and the driver's reason when r is not success.
void check(CUresult r, const char *what);

/// Generated code calls the mgpu* functions from frames that cannot unwind:
/// errors there end the program with the reason.
template <class F> auto guarded(const char *what, F &&f) noexcept {
  try {
    return f();
  } catch (const std::exception &e) {
    std::fprintf(stderr, "loom: %s: %s\n", what, e.what());
    std::abort();
  }
}

} // namespace loom::rt::cuda_driver
