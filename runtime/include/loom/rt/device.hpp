// Where a model runs: the CPU, or an NVIDIA GPU through the CUDA driver, which
// is loaded at run time (dlopen): a binary built with the cuda target starts
// on any machine and explains what is missing when the GPU is asked for.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace loom::rt {

enum class Device { cpu, cuda };

const char *device_name(Device d);
/// "cpu" or "cuda"; anything else is an Error naming it.
Device parse_device(std::string_view name);

/// The device models are created on when none is given (initially cpu).
Device default_device();
/// Sets it; asking for cuda first checks the driver and the GPU (require_cuda).
void set_default_device(Device d);

namespace cuda {

/// True when libcuda.so.1 loads and sees a GPU; otherwise `why` says what is missing.
bool available(std::string *why = nullptr);
/// Throws Error with that reason when the GPU cannot be used.
void require();
/// "NVIDIA H100 80GB HBM3 (sm_90, 79.1 GiB)"
std::string device_description();

/// Device-visible memory (CUDA managed memory, readable by the host too),
/// from a caching allocator; bytes are not cleared.
void *alloc(std::size_t bytes);
void free(void *p);
/// Waits until every kernel launched so far has finished.
void synchronize();

struct MemoryStats {
  std::size_t allocated = 0, peak = 0, reserved = 0; // loom's allocator: in use, highest in use, held
  std::size_t device_free = 0, device_total = 0;     // the driver's view of the whole GPU
};
MemoryStats memory_stats();
/// Resets `peak` to what is allocated now.
void reset_peak();

} // namespace cuda

/// Copies a call's host arguments into device-visible memory and its results
/// back: what a generated header does around a CUDA entry point.
class Staging {
public:
  Staging() = default;
  Staging(const Staging &) = delete;
  Staging &operator=(const Staging &) = delete;
  ~Staging();
  template <class T> std::remove_const_t<T> *in(T *host, std::size_t n) {
    return static_cast<std::remove_const_t<T> *>(copy_in(host, n * sizeof(T)));
  }
  template <class T> T *out(T *host, std::size_t n) { return static_cast<T *>(copy_out(host, n * sizeof(T))); }
  /// After the call: waits for the GPU and copies the results to the host.
  void finish();

private:
  void *copy_in(const void *host, std::size_t bytes);
  void *copy_out(void *host, std::size_t bytes);
  struct Out {
    void *host, *device;
    std::size_t bytes;
  };
  std::vector<void *> blocks_;
  std::vector<Out> outs_;
};

} // namespace loom::rt
