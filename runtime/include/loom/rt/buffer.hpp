// Aligned host memory.
#pragma once

#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>

namespace loom::rt {

inline constexpr std::size_t kAlignment = 64; // a cache line; AVX-512 loads

/// An owned, 64-byte-aligned, zero-initialised block of bytes.
class Buffer {
public:
  Buffer() = default;
  explicit Buffer(std::size_t bytes) : size_(bytes) {
    if (!bytes) return;
    std::size_t rounded = (bytes + kAlignment - 1) / kAlignment * kAlignment;
    void *p = std::aligned_alloc(kAlignment, rounded);
    if (!p) throw std::bad_alloc();
    std::memset(p, 0, rounded);
    data_.reset(static_cast<std::byte *>(p));
  }
  std::byte *data() { return data_.get(); }
  const std::byte *data() const { return data_.get(); }
  std::size_t size() const { return size_; }

private:
  struct Free {
    void operator()(std::byte *p) const { std::free(p); }
  };
  std::unique_ptr<std::byte, Free> data_;
  std::size_t size_ = 0;
};

} // namespace loom::rt
