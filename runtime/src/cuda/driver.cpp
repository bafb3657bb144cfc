// The CUDA driver: libcuda.so.1 loaded with dlopen, the device and its
// primary context started once per process.
#include "driver.hpp"

#include <dlfcn.h>

#include <cstdlib>
#include <type_traits>

namespace loom::rt::cuda_driver {

Driver::Driver() {
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
  LOOM_SYM(cuLaunchKernel) LOOM_SYM(cuStreamCreate) LOOM_SYM(cuStreamSynchronize) LOOM_SYM(cuStreamQuery)
  LOOM_SYM(cuPointerGetAttribute) LOOM_SYM(cuMemAllocManaged)
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

std::string Driver::describe(CUresult r) const {
  const char *name = nullptr, *text = nullptr;
  if (cuGetErrorName) cuGetErrorName(r, &name);
  if (cuGetErrorString) cuGetErrorString(r, &text);
  return std::string(name ? name : "CUDA error " + std::to_string(r)) + (text ? std::string(": ") + text : "");
}

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

} // namespace loom::rt::cuda_driver
