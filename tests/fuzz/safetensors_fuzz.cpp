// libFuzzer harness for the safetensors reader: any input parses or throws
// loom::rt::Error; what parses has every tensor's bytes inside the file, and
// every message is printable ASCII.
#include <loom/rt/safetensors.hpp>
#include <loom/rt/error.hpp>

#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  try {
    auto f = loom::rt::parse_safetensors(std::string(reinterpret_cast<const char *>(data), size), "fuzz");
    for (const auto &[name, t] : f.tensors)
      if (t.begin > t.end || t.end > f.bytes.size()) __builtin_trap();
  } catch (const loom::rt::Error &e) {
    for (const char *p = e.what(); *p; ++p)
      if (static_cast<unsigned char>(*p) >= 0x80 || (static_cast<unsigned char>(*p) < 0x20 && *p != '\n')) __builtin_trap();
  }
  return 0;
}
