// Aligned host memory, or device-visible memory for models on the GPU.
#pragma once

#include "loom/rt/device.hpp"
#include "loom/rt/memory.hpp"

#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>

namespace loom::rt {

inline constexpr std::size_t kAlignment = 64; // a cache line; AVX-512 loads

namespace detail {
struct Free {
  Device where = Device::cpu;
  std::size_t bytes = 0; // as allocated (rounded), for the runtime's host count
  void operator()(std::byte *p) const {
    if (where == Device::cuda) return cuda::free(p);
    note_host_free(bytes);
    std::free(p);
  }
};
} // namespace detail

/// An owned, 64-byte-aligned, zero-initialised block of bytes; on Device::cuda
/// it is CUDA managed memory (kernels and the host both read it).
class Buffer {
public:
  Buffer() = default;
  explicit Buffer(std::size_t bytes, Device where = Device::cpu) : size_(bytes), data_(nullptr, Free{where}) {
    if (!bytes) return;
    std::size_t rounded = (bytes + kAlignment - 1) / kAlignment * kAlignment;
    void *p = where == Device::cuda ? cuda::alloc(rounded) : std::aligned_alloc(kAlignment, rounded);
    if (!p) throw std::bad_alloc();
    std::memset(p, 0, rounded);
    if (where != Device::cuda) detail::note_host_alloc(rounded);
    data_ = std::unique_ptr<std::byte, Free>(static_cast<std::byte *>(p), Free{where, rounded});
  }
  std::byte *data() { return data_.get(); }
  const std::byte *data() const { return data_.get(); }
  std::size_t size() const { return size_; }
  Device device() const { return data_.get_deleter().where; }

private:
  using Free = detail::Free;
  std::size_t size_ = 0;
  std::unique_ptr<std::byte, Free> data_;
};

} // namespace loom::rt
