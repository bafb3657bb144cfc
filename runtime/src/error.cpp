#include "loom/rt/error.hpp"

namespace loom::rt {

std::string shape_string(const long *dims, int rank) {
  std::string s = "[";
  for (int i = 0; i < rank; ++i) s += (i ? "," : "") + std::to_string(dims[i]);
  return s + "]";
}

} // namespace loom::rt
