// libFuzzer harness for the CIFAR-10 batch reader: any input parses whole or
// throws loom::rt::Error, and a throw leaves the dataset as it was.
#include <loom/rt/data.hpp>

#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  loom::rt::Dataset d;
  try {
    loom::rt::append_cifar10(d, std::vector<unsigned char>(data, data + size), "batch");
    if (d.labels.size() != size_t(d.n) || d.images.size() != size_t(d.n * 3 * 32 * 32)) __builtin_trap();
  } catch (const loom::rt::Error &) {
    if (d.n != 0 || !d.images.empty()) __builtin_trap();
  }
  return 0;
}
