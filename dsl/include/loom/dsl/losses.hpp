// Losses and metrics, written with DSL ops (so their gradients come from the ops').
#pragma once

#include "loom/dsl/ops.hpp"

namespace loom {

/// mean((pred - target)^2), PyTorch's MSELoss(reduction='mean').
template <DType T, long... D, DType U, long... E>
Tensor<f32> mse_loss(const Tensor<T, D...> &pred, const Tensor<U, E...> &target, LOOM_HERE) {
  constexpr bool same_shape = [] {
    if constexpr (sizeof...(D) != sizeof...(E)) return false;
    else return dims_v<D...> == dims_v<E...>;
  }();
  constexpr bool ok = std::is_same_v<T, f32> && std::is_same_v<U, f32> && same_shape;
  LOOM_REQUIRE(ok, "loom: mse_loss: prediction and target differ in shape or are not f32",
               "mse_loss: prediction ", T::name, dims_v<D...>, " and target ", U::name, dims_v<E...>,
               " must be f32 of one shape");
  if constexpr (!ok) return Tensor<f32>::from_node(pred.node());
  else {
    auto d = sub(pred, target, loc);
    return mean(mul(d, d, loc), loc);
  }
}

namespace detail {
/// What the classification losses take: f32 scores [B, C] and i32/i64 labels [B].
template <DType T, DType L, long... D, long... E> constexpr bool classification(const Tensor<T, D...> *, const Tensor<L, E...> *) {
  constexpr auto s = dims_v<D...>;
  constexpr auto t = dims_v<E...>;
  if constexpr (sizeof...(D) != 2 || sizeof...(E) != 1) return false;
  else return std::is_same_v<T, f32> && (std::is_same_v<L, i32> || std::is_same_v<L, i64>) && s[0] == t[0];
}
} // namespace detail

/// log_softmax over the last axis, stable: x - max - log(sum(exp(x - max))).
template <long... D> Tensor<f32, D...> log_softmax(const Tensor<f32, D...> &x, LOOM_HERE) {
  constexpr long R = sizeof...(D);
  static_assert(R >= 1, "log_softmax: needs at least one axis");
  constexpr auto kept = [] {
    auto s = dims_v<D...>;
    s[R - 1] = 1;
    return s;
  }();
  using K = tensor_from_t<f32, kept>;
  auto m = stop_gradient(reshape_to<K>(loom::max<-1>(x, loc), loc), loc);
  auto shifted = sub(x, m, loc);
  auto lse = log(reshape_to<K>(sum<-1>(exp(shifted, loc), loc), loc), loc);
  return sub(shifted, lse, loc);
}

/// softmax over the last axis.
template <long... D> Tensor<f32, D...> softmax(const Tensor<f32, D...> &x, LOOM_HERE) {
  return exp(log_softmax(x, loc), loc);
}

/// The classification losses' check: scores f32[B, C] and integer labels [B]; after
/// an error they return a placeholder, so nothing later reports a spurious error.
#define LOOM_CLASSIFICATION(op, what)                                                                                  \
  constexpr bool ok = detail::classification(static_cast<const Tensor<T, D...> *>(nullptr),                            \
                                             static_cast<const Tensor<L, E...> *>(nullptr));                            \
  LOOM_REQUIRE(ok, "loom: " op ": expects " what " f32[B,C] and integer labels [B]", op ": expects " what " f32[B,C] " \
               "and i32 or i64 labels [B], got ", T::name, dims_v<D...>, " and ", L::name, dims_v<E...>)

/// Negative log-likelihood of integer labels under log-probabilities [B, C], averaged over B.
template <DType T, long... D, DType L, long... E>
Tensor<f32> nll_loss(const Tensor<T, D...> &logp, const Tensor<L, E...> &labels, LOOM_HERE) {
  LOOM_CLASSIFICATION("nll_loss", "log-probabilities");
  if constexpr (!ok) return Tensor<f32>::from_node(logp.node());
  else return neg(mean(sum<1>(mul(one_hot<dims_v<D...>[1]>(labels, loc), logp, loc), loc), loc), loc);
}

/// Cross-entropy of logits [B, C] against integer labels [B], averaged over B.
template <DType T, long... D, DType L, long... E>
Tensor<f32> cross_entropy(const Tensor<T, D...> &logits, const Tensor<L, E...> &labels, LOOM_HERE) {
  LOOM_CLASSIFICATION("cross_entropy", "logits");
  if constexpr (!ok) return Tensor<f32>::from_node(logits.node());
  else return nll_loss(log_softmax(logits, loc), labels, loc);
}

/// Fraction of rows whose largest logit is the label.
template <DType T, long... D, DType L, long... E>
Tensor<f32> accuracy(const Tensor<T, D...> &logits, const Tensor<L, E...> &labels, LOOM_HERE) {
  LOOM_CLASSIFICATION("accuracy", "logits");
  if constexpr (!ok) return Tensor<f32>::from_node(logits.node());
  else return mean(cast<f32>(loom::equal(argmax<1>(logits, loc), cast<i64>(labels, loc), loc), loc), loc);
}

#undef LOOM_CLASSIFICATION

} // namespace loom
