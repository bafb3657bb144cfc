// The CUDA layer's caching allocator of managed memory (with accounting), and
// the staging of host buffers through it.
#include "driver.hpp"
#include "loom/rt/device.hpp"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <unordered_map>

namespace loom::rt {
namespace {
using namespace cuda_driver;

constexpr std::size_t kHeadroom = std::size_t(256) << 20; // GPU memory left free for the driver

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

} // namespace

namespace cuda {

void *alloc(std::size_t bytes) { return allocator().alloc(bytes); }
void free(void *p) { allocator().free(p); }

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
