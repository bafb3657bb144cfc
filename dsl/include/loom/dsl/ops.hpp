// Tensor ops. Each records one node (plus explicit broadcasts) and checks
// shapes and dtypes at compile time; a failed check names the op and shapes.
#pragma once

#include "loom/dsl/shape.hpp"
#include "loom/dsl/tensor.hpp"

#include <source_location>
#include <tuple>

namespace loom {

using loc_t = std::source_location;
#define LOOM_HERE loc_t loc = loc_t::current()

namespace detail {

/// The node of `x` broadcast to R's shape (no node when the shapes agree).
template <class R, DType T, long... D> int broadcast_node(const Tensor<T, D...> &x, const loc_t &loc) {
  if constexpr (std::is_same_v<R, Tensor<T, D...>>) return x.node();
  else return record<R>(ops::broadcast_to{}, {x.node()}, loc).node();
}

template <class Op, DType T, long... D> Tensor<T, D...> unary(const Tensor<T, D...> &x, const loc_t &loc) {
  LOOM_REQUIRE(!Op::float_only || T::is_float, "loom: this op needs a floating-point tensor",
               Op::name, ": needs a floating-point tensor, got ", T::name, dims_v<D...>);
  return record<Tensor<T, D...>>(Op{}, {x.node()}, loc);
}

template <class Op, DType T, long... A, DType U, long... B>
auto binary(const Tensor<T, A...> &a, const Tensor<U, B...> &b, const loc_t &loc) {
  constexpr bool same = std::is_same_v<T, U>;
  constexpr auto bc = shape::broadcast(dims_v<A...>, dims_v<B...>);
  LOOM_REQUIRE(same, "loom: operands of an elementwise op have different dtypes", Op::name,
               ": dtypes differ: ", T::name, dims_v<A...>, " vs ", U::name, dims_v<B...>);
  LOOM_REQUIRE(bc.ok, "loom: operand shapes cannot be broadcast together", Op::name,
               ": shapes cannot be broadcast together: ", dims_v<A...>, " and ", dims_v<B...>);
  if constexpr (!same || !bc.ok) return a;
  else {
    using R = tensor_from_t<T, bc.d>;
    int na = broadcast_node<R>(a, loc), nb = broadcast_node<R>(b, loc);
    return record<R>(Op{}, {na, nb}, loc);
  }
}

template <class X>
concept Scalar = std::is_arithmetic_v<X>;

} // namespace detail

// ---- constants ----------------------------------------------------------------------
/// A tensor filled with one value.
template <DType T, long... D> Tensor<T, D...> full(double value, LOOM_HERE) {
  return detail::record<Tensor<T, D...>>(ops::constant{.value = std::vector<double>{value}}, {}, loc);
}
/// A tensor with the given row-major values (their count must match the shape).
template <DType T, long... D> Tensor<T, D...> constant(std::vector<double> values, LOOM_HERE) {
  if (values.size() != static_cast<size_t>(Tensor<T, D...>::numel))
    detail::trace_error("constant: " + std::to_string(values.size()) + " values for " +
                        std::to_string(Tensor<T, D...>::numel) + " elements");
  return detail::record<Tensor<T, D...>>(ops::constant{.value = std::move(values)}, {}, loc);
}
template <DType T, long... D> Tensor<T, D...> full_like(const Tensor<T, D...> &, double v, LOOM_HERE) {
  return full<T, D...>(v, loc);
}

// ---- elementwise -------------------------------------------------------------------
// One function per unary and binary op of LoomOps.td (the lists are generated
// from it: a new elementwise op needs no edit here).
#define LOOM_UNARY(NAME)                                                                       \
  template <DType T, long... D> Tensor<T, D...> NAME(const Tensor<T, D...> &x, LOOM_HERE) {    \
    return detail::unary<ops::NAME>(x, loc);                                                   \
  }
LOOM_ODS_UNARY_OPS(LOOM_UNARY)
#undef LOOM_UNARY

// Binary ops take two tensors (numpy broadcasting) or a tensor and a scalar.
#define LOOM_BINARY(NAME)                                                                      \
  template <DType T, long... A, DType U, long... B>                                            \
  auto NAME(const Tensor<T, A...> &a, const Tensor<U, B...> &b, LOOM_HERE) {                   \
    return detail::binary<ops::NAME>(a, b, loc);                                               \
  }                                                                                            \
  template <DType T, long... A, detail::Scalar S>                                              \
  Tensor<T, A...> NAME(const Tensor<T, A...> &a, S s, LOOM_HERE) {                             \
    return detail::binary<ops::NAME>(a, full<T, A...>(static_cast<double>(s), loc), loc);      \
  }                                                                                            \
  template <DType T, long... A, detail::Scalar S>                                              \
  Tensor<T, A...> NAME(S s, const Tensor<T, A...> &a, LOOM_HERE) {                             \
    return detail::binary<ops::NAME>(full<T, A...>(static_cast<double>(s), loc), a, loc);      \
  }
LOOM_ODS_BINARY_OPS(LOOM_BINARY)
#undef LOOM_BINARY

namespace detail {
template <DType T, long... D> Tensor<T, D...> tensor_base(const Tensor<T, D...> *);
/// Parameters and inputs derive from Tensor: operators accept anything that is one.
template <class X>
concept TensorLike = requires(const X *p) { tensor_base(p); };
} // namespace detail

// Operators cannot take a defaulted source_location: their nodes carry the
// location of the nearest earlier DSL call in the same export.
#define LOOM_OPERATOR(SYM, NAME)                                                               \
  template <class X, class Y>                                                                  \
    requires(detail::TensorLike<X> || detail::TensorLike<Y>)                                   \
  auto operator SYM(const X &x, const Y &y) {                                                  \
    return NAME(x, y, loc_t{});                                                                \
  }
LOOM_OPERATOR(+, add)
LOOM_OPERATOR(-, sub)
LOOM_OPERATOR(*, mul)
LOOM_OPERATOR(/, div)
#undef LOOM_OPERATOR
template <DType T, long... D> Tensor<T, D...> operator-(const Tensor<T, D...> &x) { return neg(x, loc_t{}); }

// ---- broadcast, reshape, permute ---------------------------------------------------------
template <long... To, DType T, long... D> Tensor<T, To...> broadcast_to(const Tensor<T, D...> &x, LOOM_HERE) {
  LOOM_REQUIRE(shape::broadcastable_to(dims_v<D...>, dims_v<To...>),
               "loom: broadcast_to: shape cannot be broadcast to the target",
               "broadcast_to: cannot broadcast ", dims_v<D...>, " to ", dims_v<To...>);
  if constexpr (std::is_same_v<Tensor<T, To...>, Tensor<T, D...>>) return x;
  else return detail::record<Tensor<T, To...>>(ops::broadcast_to{}, {x.node()}, loc);
}

namespace detail {
template <auto Shape, DType T, long... D> auto broadcast_to_shape(const Tensor<T, D...> &x, const loc_t &loc) {
  return [&]<std::size_t... I>(std::index_sequence<I...>) { return broadcast_to<Shape[I]...>(x, loc); }(
      std::make_index_sequence<Shape.size()>{});
}
} // namespace detail

/// reshape<64, -1>(x): row-major reinterpretation; one dimension may be -1.
template <long... To, DType T, long... D> auto reshape(const Tensor<T, D...> &x, LOOM_HERE) {
  constexpr auto r = shape::reshape(dims_v<D...>, std::array<long, sizeof...(To)>{To...});
  LOOM_REQUIRE(r.ok, "loom: reshape: the element count differs", "reshape: element count differs: ",
               dims_v<D...>, " (", shape::product(dims_v<D...>), " elements) to ",
               std::array<long, sizeof...(To)>{To...});
  using R = tensor_from_t<T, r.d>;
  if constexpr (!r.ok) return x;
  else return detail::record<R>(ops::reshape{}, {x.node()}, loc);
}

namespace detail {
template <class R> struct reshape_as;
template <DType U, long... To> struct reshape_as<Tensor<U, To...>> {
  template <DType T, long... D> static auto apply(const Tensor<T, D...> &x, const loc_t &loc) {
    return reshape<To...>(x, loc);
  }
};
} // namespace detail
/// reshape to the shape of the tensor type R: reshape_to<Tensor<f32, 64, 1>>(x).
template <class R, DType T, long... D> auto reshape_to(const Tensor<T, D...> &x, LOOM_HERE) {
  return detail::reshape_as<R>::apply(x, loc);
}

template <DType T, long... D> auto flatten(const Tensor<T, D...> &x, LOOM_HERE) {
  static_assert(sizeof...(D) >= 1, "flatten: needs a batch dimension");
  return reshape<dims_v<D...>[0], -1>(x, loc);
}

template <long... P, DType T, long... D> auto permute(const Tensor<T, D...> &x, LOOM_HERE) {
  constexpr std::array<long, sizeof...(P)> perm{P...};
  constexpr bool ok = sizeof...(P) == sizeof...(D) && shape::is_permutation(perm);
  LOOM_REQUIRE(ok, "loom: permute: not a permutation of the tensor's axes", "permute: ", perm,
               " is not a permutation of the axes of ", dims_v<D...>);
  if constexpr (!ok) return x;
  else {
    using R = tensor_from_t<T, shape::permute(dims_v<D...>, perm)>;
    return detail::record<R>(ops::transpose{.permutation = {P...}}, {x.node()}, loc);
  }
}

/// Swaps the last two axes.
template <DType T, long... D> auto transpose(const Tensor<T, D...> &x, LOOM_HERE) {
  constexpr long R = sizeof...(D);
  LOOM_REQUIRE(R >= 2, "loom: transpose needs at least two axes", "transpose: needs at least 2 axes, got ",
               dims_v<D...>);
  if constexpr (R < 2) return x;
  else
    return [&]<std::size_t... I>(std::index_sequence<I...>) {
      return permute<(I + 2 == R ? R - 1 : I + 1 == R ? R - 2 : static_cast<long>(I))...>(x, loc);
    }(std::make_index_sequence<R>{});
}

// ---- matmul -------------------------------------------------------------------------
template <DType T, long... A, DType U, long... B>
auto matmul(const Tensor<T, A...> &a, const Tensor<U, B...> &b, LOOM_HERE) {
  constexpr auto sa = dims_v<A...>;
  constexpr auto sb = dims_v<B...>;
  constexpr std::size_t r = sizeof...(A);
  constexpr bool ranks = r == sizeof...(B) && (r == 2 || r == 3);
  LOOM_REQUIRE((std::is_same_v<T, U>), "loom: matmul: dtypes differ", "matmul: dtypes differ: ",
               T::name, sa, " x ", U::name, sb);
  LOOM_REQUIRE(ranks, "loom: matmul: operands must both be 2-D or both 3-D",
               "matmul: operands must both be 2-D or both 3-D: ", sa, " x ", sb);
  if constexpr (!ranks || !std::is_same_v<T, U>) return a;
  else {
    constexpr bool batch = r == 2 || sa[0] == sb[0];
    constexpr bool inner = sa[r - 1] == sb[r - 2];
    LOOM_REQUIRE(batch, "loom: matmul: batch dimensions differ", "matmul: batch dimensions differ: ", sa,
                 " x ", sb);
    LOOM_REQUIRE(inner, "loom: matmul: inner dimensions differ", "matmul: inner dimensions differ: ", sa,
                 " x ", sb);
    if constexpr (r == 2) return detail::record<Tensor<T, sa[0], sb[1]>>(ops::matmul{}, {a.node(), b.node()}, loc);
    else return detail::record<Tensor<T, sa[0], sa[1], sb[2]>>(ops::matmul{}, {a.node(), b.node()}, loc);
  }
}

// ---- reductions ---------------------------------------------------------------------------
namespace detail {
template <class Op, long... Axes, DType T, long... D> auto reduce(const Tensor<T, D...> &x, const loc_t &loc) {
  constexpr std::size_t R = sizeof...(D);
  constexpr auto axes = shape::normalize_axes<R>(std::array<long, sizeof...(Axes)>{Axes...});
  constexpr bool ok = shape::valid_axes<R>(axes);
  LOOM_REQUIRE(ok, "loom: reduction axes must be distinct, sorted and in range", Op::name,
               ": axes ", std::array<long, sizeof...(Axes)>{Axes...},
               " must be distinct, sorted and within the rank of ", dims_v<D...>);
  if constexpr (!ok) return x;
  else {
    using Res = tensor_from_t<T, shape::remove_axes(dims_v<D...>, axes)>;
    return record<Res>(Op{.axes = std::vector<int64_t>(axes.begin(), axes.end())}, {x.node()}, loc);
  }
}
} // namespace detail

/// sum<1>(x) sums over axis 1 (removed); sum(x) sums everything to a scalar.
template <long... Axes, DType T, long... D> auto sum(const Tensor<T, D...> &x, LOOM_HERE) {
  return detail::reduce<ops::reduce_sum, Axes...>(x, loc);
}
template <long... Axes, DType T, long... D> auto mean(const Tensor<T, D...> &x, LOOM_HERE) {
  return detail::reduce<ops::reduce_mean, Axes...>(x, loc);
}
template <long... Axes, DType T, long... D> auto max(const Tensor<T, D...> &x, LOOM_HERE) {
  return detail::reduce<ops::reduce_max, Axes...>(x, loc);
}

// ---- concat and slice ------------------------------------------------------------------------
template <long Axis, DType T, long... D, class... Rest>
auto concat(const Tensor<T, D...> &first, const Rest &...rest) {
  constexpr long R = sizeof...(D);
  constexpr long axis = Axis < 0 ? Axis + R : Axis;
  LOOM_REQUIRE(axis >= 0 && axis < R, "loom: concat: axis out of range", "concat: axis ", Axis,
               " out of range for ", dims_v<D...>);
  constexpr bool same_dtype = (std::is_same_v<T, typename Rest::dtype> && ...);
  LOOM_REQUIRE(same_dtype, "loom: concat: dtypes differ", "concat: dtypes differ: the first tensor is ", T::name, dims_v<D...>,
               ", and every other must be ", T::name, " too");
  constexpr bool fits = [] {
    bool ok = ((Rest::rank == R) && ...);
    if (!ok || axis < 0 || axis >= R) return false;
    for (long d = 0; d < R; ++d)
      if (d != axis) ok = ok && ((Rest::shape[d] == dims_v<D...>[d]) && ...);
    return ok;
  }();
  LOOM_REQUIRE(fits || !(axis >= 0 && axis < R), "loom: concat: shapes differ outside the concatenation axis",
               "concat: shapes differ outside axis ", Axis, ": ", dims_v<D...>, " vs ",
               std::get<sizeof...(Rest) - 1>(std::tuple{Rest::shape...}));
  if constexpr (!fits || !same_dtype) return first;
  else {
    constexpr auto out = [] {
      auto s = dims_v<D...>;
      s[axis] += (Rest::shape[axis] + ... + 0);
      return s;
    }();
    return detail::record<tensor_from_t<T, out>>(ops::concat{.axis = axis}, {first.node(), rest.node()...},
                                                 loc_t::current());
  }
}

/// slice<Axis, Start, Stop, Step>(x) is x[..., Start:Stop:Step, ...] on one axis.
template <long Axis, long Start, long Stop, long Step = 1, DType T, long... D>
auto slice(const Tensor<T, D...> &x, LOOM_HERE) {
  constexpr long R = sizeof...(D);
  constexpr long axis = Axis < 0 ? Axis + R : Axis;
  constexpr bool ok = axis >= 0 && axis < R && Step >= 1 && Start >= 0 && Start < Stop &&
                      Stop <= (axis >= 0 && axis < R ? dims_v<D...>[axis] : 0);
  LOOM_REQUIRE(ok, "loom: slice: the range lies outside the tensor", "slice: ", Start, ":", Stop, ":",
               Step, " on axis ", Axis, " lies outside ", dims_v<D...>);
  if constexpr (!ok) return x;
  else {
    constexpr auto out = [] {
      auto s = dims_v<D...>;
      s[axis] = (Stop - Start + Step - 1) / Step;
      return s;
    }();
    std::vector<int64_t> starts(R, 0), strides(R, 1);
    starts[axis] = Start;
    strides[axis] = Step;
    return detail::record<tensor_from_t<T, out>>(ops::slice{.starts = starts, .strides = strides}, {x.node()}, loc);
  }
}

// ---- masks, casts, gradients ------------------------------------------------------------
namespace detail {
template <ops::ComparePredicate Pred, DType T, long... A, DType U, long... B>
auto compare(const Tensor<T, A...> &a, const Tensor<U, B...> &b, const loc_t &loc) {
  constexpr auto bc = shape::broadcast(dims_v<A...>, dims_v<B...>);
  LOOM_REQUIRE((std::is_same_v<T, U>), "loom: comparison of different dtypes", "compare ", ops::to_string(Pred),
               ": dtypes differ: ", T::name, dims_v<A...>, " vs ", U::name, dims_v<B...>);
  LOOM_REQUIRE(bc.ok, "loom: comparison of shapes that cannot be broadcast together", "compare ", ops::to_string(Pred),
               ": shapes cannot be broadcast together: ", dims_v<A...>, " and ", dims_v<B...>);
  if constexpr (!bc.ok || !std::is_same_v<T, U>) return Tensor<i1, A...>::from_node(a.node());
  else {
    using R = tensor_from_t<T, bc.d>;
    int na = broadcast_node<R>(a, loc), nb = broadcast_node<R>(b, loc);
    return record<tensor_from_t<i1, bc.d>>(ops::compare{.predicate = Pred}, {na, nb}, loc);
  }
}
} // namespace detail

/// Elementwise comparisons giving i1 masks (numpy broadcasting; a scalar works too).
#define LOOM_COMPARE(NAME, PRED)                                                               \
  template <DType T, long... A, DType U, long... B>                                            \
  auto NAME(const Tensor<T, A...> &a, const Tensor<U, B...> &b, LOOM_HERE) {                   \
    return detail::compare<PRED>(a, b, loc);                                                   \
  }                                                                                            \
  template <DType T, long... A, detail::Scalar S> auto NAME(const Tensor<T, A...> &a, S s, LOOM_HERE) { \
    return detail::compare<PRED>(a, full<T, A...>(static_cast<double>(s), loc), loc);          \
  }
LOOM_COMPARE(equal, ops::ComparePredicate::eq)
LOOM_COMPARE(not_equal, ops::ComparePredicate::ne)
LOOM_COMPARE(less, ops::ComparePredicate::lt)
LOOM_COMPARE(less_equal, ops::ComparePredicate::le)
LOOM_COMPARE(greater, ops::ComparePredicate::gt)
LOOM_COMPARE(greater_equal, ops::ComparePredicate::ge)
#undef LOOM_COMPARE

/// where(cond, a, b): a where cond holds, else b (a and b broadcast to cond's shape).
template <long... C, DType T, long... A, long... B>
Tensor<T, C...> where(const Tensor<i1, C...> &cond, const Tensor<T, A...> &a, const Tensor<T, B...> &b, LOOM_HERE) {
  return detail::record<Tensor<T, C...>>(
      ops::select{}, {cond.node(), broadcast_to<C...>(a, loc).node(), broadcast_to<C...>(b, loc).node()}, loc);
}

/// Elementwise dtype conversion (float to integer truncates; i1 gives 0 or 1).
template <DType To, DType T, long... D> Tensor<To, D...> cast(const Tensor<T, D...> &x, LOOM_HERE) {
  if constexpr (std::is_same_v<To, T>) return x;
  else return detail::record<Tensor<To, D...>>(ops::cast{}, {x.node()}, loc);
}

/// The identity, through which no gradient flows.
template <DType T, long... D> Tensor<T, D...> stop_gradient(const Tensor<T, D...> &x, LOOM_HERE) {
  return detail::record<Tensor<T, D...>>(ops::stop_gradient{}, {x.node()}, loc);
}

/// Integer labels [..] to one-hot f32 rows [.., Classes].
template <long Classes, DType T, long... D> Tensor<f32, D..., Classes> one_hot(const Tensor<T, D...> &labels, LOOM_HERE) {
  LOOM_REQUIRE((std::is_same_v<T, i32> || std::is_same_v<T, i64>), "loom: one_hot needs integer labels",
               "one_hot: labels must be i32 or i64, got ", T::name, dims_v<D...>);
  return detail::record<Tensor<f32, D..., Classes>>(ops::one_hot{}, {labels.node()}, loc);
}

/// Index of the largest element along Axis (the first one on ties), as i64.
template <long Axis, DType T, long... D> auto argmax(const Tensor<T, D...> &x, LOOM_HERE) {
  constexpr long R = sizeof...(D), axis = Axis < 0 ? Axis + R : Axis;
  LOOM_REQUIRE(axis >= 0 && axis < R && T::is_float, "loom: argmax: bad axis or not a float tensor",
               "argmax: axis ", Axis, " of ", T::name, dims_v<D...>);
  if constexpr (!(axis >= 0 && axis < R)) return x;
  else
    return detail::record<tensor_from_t<i64, shape::remove_axes(dims_v<D...>, std::array<long, 1>{axis})>>(
        ops::argmax{.axis = axis}, {x.node()}, loc);
}

/// Uniform [0, 1) numbers shaped like x, from Philox keyed by the train step's
/// seed and step: the same tensor in the forward and backward pass, new each
/// step. Only inside train steps and gradient exports.
template <DType T, long... D> Tensor<f32, D...> rand_like(const Tensor<T, D...> &, LOOM_HERE) {
  auto &tr = detail::Tracer::get();
  if (!tr.training()) detail::trace_error("rand_like: random numbers only exist in train steps and gradient exports");
  return detail::record<Tensor<f32, D...>>(ops::random_uniform{.stream = tr.random_streams++},
                                           {tr.seed_node, tr.step_node}, loc);
}

/// Inverted dropout: zero each element with probability p and scale the kept
/// ones by 1/(1-p); the identity in forward exports. p is a number or an f32
/// scalar tensor (a run-time input, so one binary can sweep it).
template <DType T, long... D> Tensor<T, D...> dropout(const Tensor<T, D...> &x, const Tensor<f32> &p, LOOM_HERE) {
  static_assert(T::is_float, "dropout: needs a floating-point tensor");
  if (!detail::Tracer::get().training()) return x;
  auto keep = greater_equal(rand_like(x, loc), broadcast_to<D...>(p, loc), loc);
  auto scale = broadcast_to<D...>(div(1.0f, sub(1.0f, p, loc), loc), loc);
  return where(keep, mul(x, scale, loc), full<T, D...>(0.0, loc), loc);
}
template <DType T, long... D> Tensor<T, D...> dropout(const Tensor<T, D...> &x, double p, LOOM_HERE) {
  if (p < 0 || p > 1) detail::trace_error("dropout: p = " + std::to_string(p) + " is not a probability");
  if (!detail::Tracer::get().training() || p == 0) return x;
  return dropout(x, full<f32>(p, loc), loc);
}

} // namespace loom
