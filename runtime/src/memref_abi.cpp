// The one helper MLIR's memref lowering may call that no system library has:
// memrefCopy, used for copies between non-contiguous views. Implemented here so
// that model binaries never link MLIR's runner-utils library.
#include "loom/rt/threads.hpp"
#include "ukernels/threads_impl.hpp"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <type_traits>

namespace {
struct UnrankedMemRef {
  int64_t rank;
  void *descriptor;
};
// {allocated, aligned, offset, sizes[rank], strides[rank]}
struct Descriptor {
  char *allocated, *aligned;
  int64_t offset;
  int64_t rest[];
};
} // namespace

extern "C" void memrefCopy(int64_t elemSize, UnrankedMemRef *src, UnrankedMemRef *dst) {
  int64_t rank = src->rank;
  auto *s = static_cast<Descriptor *>(src->descriptor);
  auto *d = static_cast<Descriptor *>(dst->descriptor);
  const int64_t *sizes = s->rest, *sstr = s->rest + rank, *dstr = d->rest + rank;
  int64_t total = 1;
  for (int64_t i = 0; i < rank; ++i) total *= sizes[i];
  if (total == 0) return;
  // The innermost dimensions contiguous in both views are copied as one run
  // (a padded convolution input's rows: one memcpy per row of an image).
  int64_t inner = rank, run = 1;
  while (inner > 0 && (sizes[inner - 1] == 1 || (sstr[inner - 1] == run && dstr[inner - 1] == run)))
    run *= sizes[--inner];
  const int64_t runs = total / run, bytes = run * elemSize;
  // The last strided dimension is walked in a tight loop; the dimensions above it by an odometer.
  const int64_t last = inner - 1, count = last >= 0 ? sizes[last] : 1;
  const int64_t sStep = last >= 0 ? sstr[last] * elemSize : 0, dStep = last >= 0 ? dstr[last] * elemSize : 0;
  // Runs [r0, r1), r0 at the start of a row of the last strided dimension or not.
  auto copy = [&](int64_t r0, int64_t r1) {
    int64_t index[64] = {0};
    for (int64_t i = last, r = r0; i >= 0; --i) index[i] = r % sizes[i], r /= sizes[i];
    for (int64_t n = r0; n < r1;) {
      int64_t so = s->offset, doff = d->offset;
      for (int64_t i = 0; i < inner; ++i) so += index[i] * sstr[i], doff += index[i] * dstr[i];
      const char *from = s->aligned + so * elemSize;
      char *to = d->aligned + doff * elemSize;
      const int64_t k = last >= 0 ? std::min(count - index[last], r1 - n) : 1;
      // k runs, `chunk` bytes a move: a constant chunk makes each move a load and a store.
      auto moves = [&](auto chunk) {
        for (int64_t j = 0; j < k; ++j, from += sStep, to += dStep)
          for (int64_t b = 0; b < bytes; b += chunk) __builtin_memcpy(to + b, from + b, chunk);
      };
      // Short runs by fixed-size moves (a memcpy call each cost more than its copy): rows of 4 x 4 to
      // 32 x 32 images into their padded buffers, single floats into a stride-2 spread.
      if (bytes <= 256 && bytes % 16 == 0) moves(std::integral_constant<int64_t, 16>{});
      else if (bytes <= 64 && bytes % 4 == 0) moves(std::integral_constant<int64_t, 4>{});
      else moves(bytes);
      n += k;
      if (last < 0) break;
      index[last] += k;
      for (int64_t i = last; i > 0 && index[i] == sizes[i]; --i) index[i] = 0, ++index[i - 1];
    }
  };
  // Large copies on all threads, in contiguous ranges of runs (dy into the input gradients' zero-ringed
  // dyP buffers was 3-4% of a ResNet-18 train step, serial while the other cores waited). Each element is copied once
  // whatever the split: the result does not depend on the thread count.
  const int64_t shares = std::min<int64_t>(loom::rt::num_threads(), std::min(runs, (total * elemSize) >> 18));
  if (shares <= 1) return copy(0, runs);
  loom::rt::uk::parallel(int(shares), [&](int t) { copy(runs * t / shares, runs * (t + 1) / shares); });
}
