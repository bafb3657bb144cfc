// Device selection (cpu or cuda, LOOM_DEVICE) and what the CUDA device is.
#include "driver.hpp"
#include "loom/rt/device.hpp"

#include <cstdlib>

namespace loom::rt {
namespace {
using namespace cuda_driver;

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

void synchronize() {
  if (emulated()) return;
  Driver &d = ready();
  check(d.cuStreamSynchronize(d.stream), "cuStreamSynchronize");
}

} // namespace cuda

} // namespace loom::rt
