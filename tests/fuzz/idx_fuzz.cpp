// libFuzzer harness for the IDX reader (MNIST, Fashion-MNIST): the input is
// a 4-byte split point, then an image file and a label file. Any input must
// either parse or throw loom::rt::Error; sanitizers catch the rest.
#include <loom/rt/data.hpp>

#include <cstdint>
#include <cstring>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 4) return 0;
  uint32_t split;
  std::memcpy(&split, data, 4);
  data += 4, size -= 4;
  split = size ? split % (size + 1) : 0;
  std::vector<unsigned char> images(data, data + split), labels(data + split, data + size);
  try {
    loom::rt::Dataset d = loom::rt::parse_idx(images, labels, "images", "labels", 10);
    if (d.images.size() != size_t(d.n * d.h * d.w) || d.labels.size() != size_t(d.n)) __builtin_trap();
  } catch (const loom::rt::Error &) {
  }
  return 0;
}
