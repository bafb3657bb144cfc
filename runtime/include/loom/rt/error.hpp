#pragma once
#include <stdexcept>
#include <string>

namespace loom::rt {

/// Every runtime failure: the message names the object and what is wrong.
struct Error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// "[64,784]"
std::string shape_string(const long *dims, int rank);

} // namespace loom::rt
