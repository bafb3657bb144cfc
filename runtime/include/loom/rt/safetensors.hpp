// safetensors files (PyTorch's and Hugging Face's tensor format): an 8-byte
// little-endian header length, a JSON header naming each tensor's dtype, shape
// and byte range, then the data. The reader checks all of it against the
// file before anyone copies a byte, so a truncated, corrupt or hostile file
// is an Error naming the file and the problem (it is fuzzed: tests/fuzz).
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <vector>

namespace loom::rt {

struct SafetensorsFile {
  struct Tensor {
    std::string dtype; // "F32", "I64", ...
    std::vector<long> shape;
    std::size_t begin = 0, end = 0; // byte range in `bytes`
  };
  std::string bytes; // the whole file
  std::map<std::string, Tensor> tensors;
  std::map<std::string, std::string> metadata;
  /// The tensor's bytes.
  const char *data(const Tensor &t) const { return bytes.data() + t.begin; }
};

/// Reads and checks a file; `what` names it in messages ("checkpoint x.safetensors").
SafetensorsFile read_safetensors(const std::string &path, const std::string &what);
/// Checks bytes already in memory (the fuzzer's entry point).
SafetensorsFile parse_safetensors(std::string bytes, const std::string &what);

/// Bytes per element of a safetensors dtype (0 if unknown).
std::size_t safetensors_dtype_size(const std::string &dtype);

} // namespace loom::rt
