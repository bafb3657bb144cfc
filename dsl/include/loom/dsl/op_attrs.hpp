// The attribute values of the op descriptors (loom/dsl/op_table.hpp, generated
// from LoomOps.td), and how each is stored in a traced node. No value type has
// a default constructor: an attribute left out of an op's braces is a compile
// error, as is a misspelt one.
#pragma once

#include "loom/dsl/graph.hpp"

#include <cstdint>
#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

namespace loom::ops {

/// I64Attr
struct required_i64 {
  int64_t v;
  constexpr required_i64(int64_t x) : v(x) {}
};
/// DenseI64ArrayAttr
struct required_i64s {
  std::vector<int64_t> v;
  required_i64s(std::initializer_list<int64_t> x) : v(x) {}
  required_i64s(std::vector<int64_t> x) : v(std::move(x)) {}
};
/// ElementsAttr (loom.constant's value: one splat value, or one per element)
struct required_f64s {
  std::vector<double> v;
  required_f64s(std::vector<double> x) : v(std::move(x)) {}
};
/// I64EnumAttr, as the generated enum class (stored by its IR spelling, to_string)
template <class E> struct required {
  E v;
  constexpr required(E x) : v(x) {}
};

inline void put(graph::Node &n, const char *name, const required_i64 &a) { n.ints[name] = {a.v}; }
inline void put(graph::Node &n, const char *name, const required_i64s &a) { n.ints[name] = a.v; }
inline void put(graph::Node &n, const char *, const required_f64s &a) { n.values = a.v; }
template <class E> void put(graph::Node &n, const char *name, const required<E> &a) {
  n.strs[name] = std::string(to_string(a.v));
}

} // namespace loom::ops
