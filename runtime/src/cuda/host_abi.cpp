// MLIR's GPU host ABI (what gpu-to-llvm lowers launches and allocations to),
// on loom's CUDA driver and allocator.
#include "driver.hpp"
#include "loom/rt/device.hpp"

#include <cstdint>
#include <map>
#include <mutex>
#include <unordered_map>

using namespace loom::rt;
using namespace loom::rt::cuda_driver;

extern "C" {

// Modules stay loaded for the life of the process: generated code loads one
// before each launch and unloads it after, which would JIT the PTX each time.
void *mgpuModuleLoadJIT(void *data, int optLevel) {
  return guarded("loading GPU kernels", [&] {
    static std::mutex mu;
    static std::unordered_map<void *, CUmodule> modules;
    std::lock_guard lock(mu);
    if (auto it = modules.find(data); it != modules.end()) return it->second;
    Driver &d = ready();
    char log[8192] = {};
    int options[] = {kJitErrorLog, kJitErrorLogSize, kJitOptLevel};
    void *values[] = {log, reinterpret_cast<void *>(sizeof log), reinterpret_cast<void *>(static_cast<intptr_t>(optLevel))};
    CUmodule m = nullptr;
    if (CUresult r = d.cuModuleLoadDataEx(&m, data, 3, options, values))
      throw Error("the driver could not compile the model's PTX (" + d.describe(r) + ")" + (log[0] ? std::string(":\n") + log : ""));
    return modules[data] = m;
  });
}
void *mgpuModuleLoad(void *data, std::size_t) { return mgpuModuleLoadJIT(data, 3); }
void mgpuModuleUnload(void *) {}

// Called before every launch with the same (module, name constant): cached.
void *mgpuModuleGetFunction(void *module, const char *name) {
  return guarded("finding a GPU kernel", [&] {
    static std::mutex mu;
    static std::map<std::pair<void *, const char *>, CUfunction> functions;
    std::lock_guard lock(mu);
    CUfunction &f = functions[{module, name}];
    if (!f) check(ready().cuModuleGetFunction(&f, module, name), name);
    return f;
  });
}

void mgpuLaunchKernel(void *function, intptr_t gridX, intptr_t gridY, intptr_t gridZ, intptr_t blockX, intptr_t blockY,
                      intptr_t blockZ, int32_t smem, void *stream, void **params, void **extra, std::size_t) {
  guarded("launching a GPU kernel", [&] {
    check(ready().cuLaunchKernel(function, gridX, gridY, gridZ, blockX, blockY, blockZ, smem, stream, params, extra),
          "cuLaunchKernel");
  });
}

// One stream for everything loom launches: kernels run in the order they are
// enqueued, and memory freed between them is reused in that order too. Generated
// code synchronizes once per call, before it returns.
void *mgpuStreamCreate() {
  return guarded("creating a CUDA stream", [] { return ready().stream; });
}
void mgpuStreamDestroy(void *) {}
void mgpuStreamSynchronize(void *stream) {
  guarded("running GPU kernels", [&] { check(ready().cuStreamSynchronize(stream), "a kernel (cuStreamSynchronize)"); });
}

void *mgpuMemAlloc(uint64_t bytes, void *, bool) {
  return guarded("allocating GPU memory", [&] { return cuda::alloc(bytes); });
}
void mgpuMemFree(void *p, void *) {
  guarded("freeing GPU memory", [&] { cuda::free(p); });
}
// In stream order (constants are uploaded between kernels).
void mgpuMemcpy(void *dst, void *src, std::size_t bytes, void *stream) {
  guarded("copying GPU memory", [&] {
    check(ready().cuMemcpyAsync(reinterpret_cast<CUdeviceptr>(dst), reinterpret_cast<CUdeviceptr>(src), bytes, stream),
          "cuMemcpyAsync");
  });
}
void mgpuMemset32(void *dst, unsigned value, std::size_t count, void *stream) {
  guarded("setting GPU memory", [&] {
    check(ready().cuMemsetD32Async(reinterpret_cast<CUdeviceptr>(dst), value, count, stream), "cuMemsetD32Async");
  });
}
void mgpuMemset16(void *dst, unsigned short value, std::size_t count, void *stream) {
  guarded("setting GPU memory", [&] {
    check(ready().cuMemsetD16Async(reinterpret_cast<CUdeviceptr>(dst), value, count, stream), "cuMemsetD16Async");
  });
}

// Host-side memref.alloc/dealloc of CUDA code (finalize-memref-to-llvm's
// use-generic-functions): temporaries the kernels read and write.
void *_mlir_memref_to_llvm_alloc(std::size_t bytes) {
  return guarded("allocating GPU memory", [&] { return cuda::alloc(bytes); });
}
void *_mlir_memref_to_llvm_aligned_alloc(std::size_t, std::size_t bytes) { return _mlir_memref_to_llvm_alloc(bytes); }
void _mlir_memref_to_llvm_free(void *p) {
  guarded("freeing GPU memory", [&] { cuda::free(p); });
}

} // extern "C"
