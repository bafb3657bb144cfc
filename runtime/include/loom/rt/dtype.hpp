// Element types: one table for the DSL's traced graph (loom::graph::DType is
// this enum), the compiler (MLIR types, the header's C++ types), the runtime's
// parameter stores and checkpoints (safetensors' names).
#pragma once

#include <cstddef>
#include <cstdint>
#include <type_traits>

namespace loom::rt {

enum class DType { f32, i1, i32, i64 };

struct DTypeInfo {
  DType dtype;
  const char *name;        // "f32", as the DSL and messages spell it
  int bits;                // 1 for i1 (stored as one byte)
  std::size_t bytes;       // in memory
  const char *ctype;       // the C++ element type of the generated header
  const char *safetensors; // safetensors' dtype string
  bool floating;
};

/// One row per DType, in its order.
inline constexpr DTypeInfo kDTypes[] = {
    {DType::f32, "f32", 32, 4, "float", "F32", true},
    {DType::i1, "i1", 1, 1, "bool", "BOOL", false},
    {DType::i32, "i32", 32, 4, "int32_t", "I32", false},
    {DType::i64, "i64", 64, 8, "int64_t", "I64", false},
};

constexpr const DTypeInfo &dtype_info(DType t) { return kDTypes[static_cast<int>(t)]; }
constexpr const char *dtype_name(DType t) { return dtype_info(t).name; }
constexpr std::size_t dtype_size(DType t) { return dtype_info(t).bytes; }

/// The DType whose elements are T (float, bool, int32_t or int64_t).
template <class T> constexpr DType dtype_of() {
  if constexpr (std::is_same_v<T, float>) return DType::f32;
  else if constexpr (std::is_same_v<T, bool>) return DType::i1;
  else if constexpr (std::is_same_v<T, int32_t>) return DType::i32;
  else {
    static_assert(std::is_same_v<T, int64_t>, "loom tensors hold float, bool, int32_t or int64_t");
    return DType::i64;
  }
}

} // namespace loom::rt
