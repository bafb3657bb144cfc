// Compile-time shape and dtype errors.
//
// A C++20 static_assert message must be a literal, so there the formatted
// message travels as the failing template's argument (shape_error below; GCC
// and clang print it in the instantiation note). Where the compiler implements C++26 user-generated static_assert
// messages (clang >= 17 in -std=c++26 mode), the message itself names the
// shapes too: "matmul: inner dimensions differ: [64,784] x [256,10]".
#pragma once

#include <array>
#include <cstddef>
#include <string_view>

#if defined(__cpp_static_assert) && __cpp_static_assert >= 202306L
#define LOOM_FORMATTED_ERRORS 1
#else
#define LOOM_FORMATTED_ERRORS 0
#endif

namespace loom::detail {

/// A message built at compile time (fixed capacity, no allocation).
struct Message {
  char buf[256]{};
  std::size_t n = 0;
  constexpr Message &operator<<(std::string_view s) {
    for (char c : s)
      if (n + 1 < sizeof buf) buf[n++] = c;
    return *this;
  }
  constexpr Message &operator<<(long v) {
    if (v < 0) *this << "-", v = -v;
    char t[24];
    int k = 0;
    do t[k++] = static_cast<char>('0' + v % 10), v /= 10;
    while (v);
    while (k) *this << std::string_view(&t[--k], 1);
    return *this;
  }
  template <std::size_t N> constexpr Message &operator<<(const std::array<long, N> &s) {
    *this << "[";
    for (std::size_t i = 0; i < N; ++i) {
      if (i) *this << ",";
      *this << s[i];
    }
    return *this << "]";
  }
  constexpr const char *data() const { return buf; }
  constexpr std::size_t size() const { return n; }
};

template <class... Parts> constexpr Message message(const Parts &...parts) {
  Message m;
  (m << ... << parts);
  return m;
}

/// Without C++26 messages (GCC 12, clang in C++20 mode) the message travels as
/// this template's argument: both compilers print it in the instantiation
/// note ("shape_error<loom::detail::Message{"matmul: inner dimensions differ:
/// [64,784] x [256,10]", 45}>"). Instantiated only when the check fails.
template <Message M> constexpr bool shape_error_v = false;
template <Message M> struct shape_error {
  static_assert(shape_error_v<M>, "loom: shape error: the message is the Message{...} in the note above");
  static constexpr bool value = false;
};
template <bool Ok, Message M> constexpr bool require() {
  if constexpr (!Ok) return shape_error<M>::value;
  return true;
}

} // namespace loom::detail

/// LOOM_REQUIRE(cond, "fallback literal", parts...): with formatted errors the
/// message is the parts (op name, what is wrong, shapes, dtypes) concatenated;
/// otherwise the literal, with the same message in the instantiation note.
#if LOOM_FORMATTED_ERRORS
#define LOOM_REQUIRE(cond, literal, ...) static_assert(cond, ::loom::detail::message(__VA_ARGS__))
#else
#define LOOM_REQUIRE(cond, literal, ...)                                                                         \
  static_assert(::loom::detail::require<static_cast<bool>(cond), ::loom::detail::message(__VA_ARGS__)>(), literal)
#endif
