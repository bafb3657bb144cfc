// The CUDA layer: the CUDA driver API loaded with dlopen (no CUDA at build or
// link time), MLIR's mgpu* host ABI that generated CUDA code calls, and a
// caching allocator of managed memory with accounting.
#include "loom/rt/device.hpp"
#include "loom/rt/error.hpp"

#include <dlfcn.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <unordered_map>

namespace loom::rt {
namespace {

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
constexpr std::size_t kHeadroom = std::size_t(256) << 20;                    // left free for the driver

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

  Driver() {
    void *lib = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
      const char *e = dlerror();
      error = std::string("no CUDA driver: libcuda.so.1 could not be loaded (") + (e ? e : "not found") +
              "); --device=cuda needs an NVIDIA GPU with its driver installed";
      return;
    }
    auto sym = [&](auto &fn, const char *name) {
      fn = reinterpret_cast<std::remove_reference_t<decltype(fn)>>(dlsym(lib, name));
      if (!fn && error.empty()) error = std::string("the CUDA driver (libcuda.so.1) has no ") + name + " (a driver older than CUDA 11?)";
    };
#define LOOM_SYM(name) sym(name, #name);
    LOOM_SYM(cuInit) LOOM_SYM(cuDeviceGetCount) LOOM_SYM(cuDeviceGet) LOOM_SYM(cuDeviceGetName)
    LOOM_SYM(cuDeviceGetAttribute) LOOM_SYM(cuDeviceTotalMem_v2) LOOM_SYM(cuDevicePrimaryCtxRetain)
    LOOM_SYM(cuCtxSetCurrent) LOOM_SYM(cuCtxSynchronize) LOOM_SYM(cuModuleLoadDataEx) LOOM_SYM(cuModuleGetFunction)
    LOOM_SYM(cuLaunchKernel) LOOM_SYM(cuStreamCreate) LOOM_SYM(cuStreamSynchronize) LOOM_SYM(cuMemAllocManaged)
    LOOM_SYM(cuMemFree_v2) LOOM_SYM(cuMemGetInfo_v2) LOOM_SYM(cuMemcpyAsync) LOOM_SYM(cuMemsetD32Async)
    LOOM_SYM(cuMemsetD16Async) LOOM_SYM(cuGetErrorName) LOOM_SYM(cuGetErrorString)
#undef LOOM_SYM
    if (!error.empty()) return;
    if (CUresult r = cuInit(0)) {
      error = "the CUDA driver did not start (cuInit: " + describe(r) + "); is there a GPU, and may this process use it?";
      return;
    }
    int count = 0;
    cuDeviceGetCount(&count);
    if (const char *env = std::getenv("LOOM_CUDA_DEVICE")) ordinal = std::atoi(env);
    if (count == 0) {
      error = "the CUDA driver sees no GPU";
      return;
    }
    if (ordinal < 0 || ordinal >= count) {
      error = "LOOM_CUDA_DEVICE=" + std::to_string(ordinal) + ": there are " + std::to_string(count) + " GPUs (0.." +
              std::to_string(count - 1) + ")";
      return;
    }
    cuDeviceGet(&device, ordinal);
    int managed = 0;
    cuDeviceGetAttribute(&managed, kManagedMemory, device);
    if (!managed) {
      error = "GPU " + std::to_string(ordinal) + " does not support CUDA managed memory, which loom's runtime uses";
      return;
    }
    if (CUresult r = cuDevicePrimaryCtxRetain(&context, device)) {
      error = "cannot create a CUDA context (" + describe(r) + ")";
      return;
    }
    cuCtxSetCurrent(context);
    if (CUresult r = cuStreamCreate(&stream, 0)) error = "cannot create a CUDA stream (" + describe(r) + ")";
  }

  std::string describe(CUresult r) const {
    const char *name = nullptr, *text = nullptr;
    if (cuGetErrorName) cuGetErrorName(r, &name);
    if (cuGetErrorString) cuGetErrorString(r, &text);
    return std::string(name ? name : "CUDA error " + std::to_string(r)) + (text ? std::string(": ") + text : "");
  }
};

/// LOOM_CUDA_EMULATOR=1: Device::cuda runs code built for the cuda-emulator
/// target (kernels as CPU loops) in host memory; no driver is loaded.
bool emulated() {
  static bool e = [] {
    const char *v = std::getenv("LOOM_CUDA_EMULATOR");
    return v && *v && std::string(v) != "0";
  }();
  return e;
}

Driver &driver() {
  static Driver d;
  return d;
}

/// The driver, usable from this thread, or an Error saying why not.
Driver &ready() {
  Driver &d = driver();
  if (!d.error.empty()) throw Error(d.error);
  thread_local bool current = false;
  if (!current) d.cuCtxSetCurrent(d.context), current = true;
  return d;
}

void check(CUresult r, const char *what) {
  if (r) throw Error(std::string("CUDA: ") + what + " failed: " + driver().describe(r));
}

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

/// Managed memory in blocks rounded to 512 bytes, kept for reuse when freed
/// (a training step allocates the same sizes every time).
struct Allocator {
  std::mutex mu;
  std::multimap<std::size_t, void *> cached;
  std::unordered_map<void *, std::size_t> live;
  std::size_t allocated = 0, peak = 0, reserved = 0;

  void *alloc(std::size_t bytes) {
    std::size_t size = std::max<std::size_t>(512, (bytes + 511) / 512 * 512);
    std::lock_guard lock(mu);
    void *p = nullptr;
    if (auto it = cached.find(size); it != cached.end()) {
      p = it->second;
      cached.erase(it);
    } else {
      p = fresh(size);
      reserved += size;
    }
    live[p] = size;
    allocated += size;
    peak = std::max(peak, allocated);
    return p;
  }

  void free(void *p) {
    if (!p) return;
    std::lock_guard lock(mu);
    auto it = live.find(p);
    if (it == live.end()) throw Error("CUDA: free of a pointer loom's allocator did not hand out");
    allocated -= it->second;
    cached.emplace(it->second, p);
    live.erase(it);
  }

  void *fresh(std::size_t size) {
    if (emulated()) {
      void *p = std::aligned_alloc(256, size);
      if (!p) throw Error("CUDA emulator: cannot allocate " + std::to_string(size) + " bytes");
      return p;
    }
    Driver &d = ready();
    // Managed memory can be over-subscribed, and a GPU asked for more than
    // it has free can hang: never ask for more than is free.
    std::size_t free = 0, total = 0;
    d.cuMemGetInfo_v2(&free, &total);
    if (size + kHeadroom > free) release_cached(), d.cuMemGetInfo_v2(&free, &total);
    if (size + kHeadroom > free)
      throw Error("CUDA: out of GPU memory: " + std::to_string(size) + " more bytes asked for, " + std::to_string(free) +
                  " of " + std::to_string(total) + " free (" + std::to_string(allocated) + " in use by loom)");
    CUdeviceptr ptr = 0;
    if (CUresult r = d.cuMemAllocManaged(&ptr, size, kAttachGlobal))
      throw Error("CUDA: cannot allocate " + std::to_string(size) + " bytes (" + d.describe(r) + "; " +
                  std::to_string(allocated) + " bytes in use)");
    return reinterpret_cast<void *>(ptr);
  }

  void release_cached() {
    for (auto &[size, p] : cached) {
      if (emulated()) std::free(p);
      else driver().cuMemFree_v2(reinterpret_cast<CUdeviceptr>(p));
      reserved -= size;
    }
    cached.clear();
  }
};

Allocator &allocator() {
  static Allocator *a = new Allocator; // never destroyed: buffers may be freed during static destruction
  return *a;
}

/// LOOM_DEVICE=cpu|cuda picks the default device for a whole process (tests use it).
Device &default_slot() {
  static Device d = [] {
    const char *env = std::getenv("LOOM_DEVICE");
    return env && *env ? parse_device(env) : Device::cpu;
  }();
  return d;
}

} // namespace

const char *device_name(Device d) { return d == Device::cuda ? "cuda" : "cpu"; }

Device parse_device(std::string_view name) {
  if (name == "cpu") return Device::cpu;
  if (name == "cuda") return Device::cuda;
  throw Error("unknown device '" + std::string(name) + "' (expected cpu or cuda)");
}

Device default_device() { return default_slot(); }

void set_default_device(Device d) {
  if (d == Device::cuda) cuda::require();
  default_slot() = d;
}

namespace cuda {

bool available(std::string *why) {
  if (emulated()) return (why ? why->clear() : void()), true;
  const Driver &d = driver();
  if (why) *why = d.error;
  return d.error.empty();
}

void require() {
  if (!emulated()) ready();
}

std::string device_description() {
  if (emulated()) return "the CUDA emulator (LOOM_CUDA_EMULATOR=1: cuda-emulator code, kernels as loops on the CPU)";
  Driver &d = ready();
  char name[256] = {};
  int major = 0, minor = 0;
  std::size_t total = 0;
  d.cuDeviceGetName(name, sizeof name, d.device);
  d.cuDeviceGetAttribute(&major, kComputeMajor, d.device);
  d.cuDeviceGetAttribute(&minor, kComputeMinor, d.device);
  d.cuDeviceTotalMem_v2(&total, d.device);
  char b[512];
  std::snprintf(b, sizeof b, "%s (sm_%d%d, %.1f GiB)", name, major, minor, total / 1073741824.0);
  return b;
}

void *alloc(std::size_t bytes) { return allocator().alloc(bytes); }
void free(void *p) { allocator().free(p); }

void synchronize() {
  if (emulated()) return;
  Driver &d = ready();
  check(d.cuStreamSynchronize(d.stream), "cuStreamSynchronize");
}

MemoryStats memory_stats() {
  MemoryStats s;
  {
    Allocator &a = allocator();
    std::lock_guard lock(a.mu);
    s.allocated = a.allocated, s.peak = a.peak, s.reserved = a.reserved;
  }
  if (!emulated()) check(ready().cuMemGetInfo_v2(&s.device_free, &s.device_total), "cuMemGetInfo");
  return s;
}

void reset_peak() {
  Allocator &a = allocator();
  std::lock_guard lock(a.mu);
  a.peak = a.allocated;
}

} // namespace cuda

Staging::~Staging() {
  for (void *p : blocks_) cuda::free(p);
}

void *Staging::copy_in(const void *host, std::size_t bytes) {
  void *p = cuda::alloc(bytes);
  blocks_.push_back(p);
  std::memcpy(p, host, bytes); // managed memory: the host writes it directly
  return p;
}

void *Staging::copy_out(void *host, std::size_t bytes) {
  void *p = cuda::alloc(bytes);
  blocks_.push_back(p);
  outs_.push_back({host, p, bytes});
  return p;
}

void Staging::finish() {
  cuda::synchronize();
  for (auto &o : outs_) std::memcpy(o.host, o.device, o.bytes);
}

} // namespace loom::rt

// ---- MLIR's GPU host ABI (what gpu-to-llvm lowers launches and allocations to) ----
using namespace loom::rt;

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
