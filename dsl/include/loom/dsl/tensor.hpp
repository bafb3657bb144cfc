// Tensor values: the dtype and the static shape are the C++ type; the value is
// a reference to a node of the graph being traced.
#pragma once

#include "loom/dsl/error.hpp"
#include "loom/dsl/op_table.hpp"
#include "loom/dsl/trace.hpp"

#include <boost/hana.hpp>

#include <array>
#include <cstddef>
#include <string>
#include <utility>

namespace loom {
namespace hana = boost::hana;

// ---- dtypes -------------------------------------------------------------------
struct f32 {
  using type = float;
  static constexpr graph::DType id = graph::DType::f32;
  static constexpr std::string_view name = "f32";
  static constexpr bool is_float = true;
};
/// Booleans (masks, comparisons).
struct i1 {
  using type = bool;
  static constexpr graph::DType id = graph::DType::i1;
  static constexpr std::string_view name = "i1";
  static constexpr bool is_float = false;
};
struct i32 {
  using type = int32_t;
  static constexpr graph::DType id = graph::DType::i32;
  static constexpr std::string_view name = "i32";
  static constexpr bool is_float = false;
};
struct i64 {
  using type = int64_t;
  static constexpr graph::DType id = graph::DType::i64;
  static constexpr std::string_view name = "i64";
  static constexpr bool is_float = false;
};

template <class T>
concept DType = std::is_same_v<T, f32> || std::is_same_v<T, i1> || std::is_same_v<T, i32> || std::is_same_v<T, i64>;

/// A compile-time string (names of inputs and outputs in types).
template <std::size_t N> struct fixed_string {
  char s[N]{};
  constexpr fixed_string(const char (&v)[N]) {
    for (std::size_t i = 0; i < N; ++i) s[i] = v[i];
  }
  constexpr std::string_view view() const { return {s, N - 1}; }
};

// ---- shapes ---------------------------------------------------------------------
// A shape is a hana tuple of integral constants; the algebra on it (products,
// broadcasting, permutations) is done at compile time in shape.hpp.
template <long... D> inline constexpr auto shape_c = hana::tuple_c<long, D...>;
template <long... D> inline constexpr std::array<long, sizeof...(D)> dims_v{D...};

template <DType T, long... D> class Tensor;

/// Tensor<T, A[0], A[1], ...> from a compile-time array.
template <DType T, auto A, class Idx = std::make_index_sequence<A.size()>> struct tensor_from;
template <DType T, auto A, std::size_t... I> struct tensor_from<T, A, std::index_sequence<I...>> {
  using type = Tensor<T, A[I]...>;
};
template <DType T, auto A> using tensor_from_t = typename tensor_from<T, A>::type;

template <class X> struct is_tensor : std::false_type {};
template <DType T, long... D> struct is_tensor<Tensor<T, D...>> : std::true_type {};

// ---- the tensor -------------------------------------------------------------------
template <DType T, long... D> class Tensor {
  static_assert(((D > 0) && ...), "loom: every tensor dimension must be positive");

public:
  using dtype = T;
  static constexpr int rank = sizeof...(D);
  static constexpr std::array<long, rank> shape = {D...};
  static constexpr auto shape_hana = shape_c<D...>;
  static constexpr long numel = hana::fold(shape_c<D...>, hana::long_c<1>, hana::mult);

  static graph::TensorType type() { return {T::id, {D...}}; }

  /// Graph node of this value in the function being traced.
  int node() const {
    return param_ < 0 ? node_ : detail::Tracer::get().param_node(param_, loc_);
  }

  /// The parameter declaration this tensor is (-1 if it is not a parameter).
  int decl() const { return param_; }

  /// Wraps an existing node (used by ops and exports).
  static Tensor from_node(int node) {
    Tensor t;
    t.node_ = node;
    return t;
  }

protected:
  Tensor() = default;
  int node_ = -1;
  int param_ = -1; // a parameter resolves to a function argument lazily
  graph::SourceLoc loc_;
};

namespace detail {
/// Records one node of `op` (its descriptor in loom/dsl/op_table.hpp, generated
/// from LoomOps.td, with a member per attribute: ops::argmax{.axis = 1}) and
/// returns the result as a tensor of type R.
template <class R, class Op> R record(const Op &op, std::vector<int> operands, const std::source_location &loc) {
  graph::Node n{.op = std::string(Op::name), .operands = std::move(operands), .type = R::type(), .loc = {}};
  op.write(n);
  if (loc.line()) n.loc = to_loc(loc);
  return R::from_node(Tracer::get().add(std::move(n)));
}
} // namespace detail

} // namespace loom
