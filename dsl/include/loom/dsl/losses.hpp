// Losses and metrics, written with DSL ops (so their gradients come from the ops').
#pragma once

#include "loom/dsl/ops.hpp"

namespace loom {

/// mean((pred - target)^2), PyTorch's MSELoss(reduction='mean').
template <long... D> Tensor<f32> mse_loss(const Tensor<f32, D...> &pred, const Tensor<f32, D...> &target, LOOM_HERE) {
  auto d = sub(pred, target, loc);
  return mean(mul(d, d, loc), loc);
}

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

/// Negative log-likelihood of integer labels under log-probabilities [B, C], averaged over B.
template <long B, long C, DType L> Tensor<f32> nll_loss(const Tensor<f32, B, C> &logp, const Tensor<L, B> &labels, LOOM_HERE) {
  return neg(mean(sum<1>(mul(one_hot<C>(labels, loc), logp, loc), loc), loc), loc);
}

/// Cross-entropy of logits [B, C] against integer labels [B], averaged over B.
template <long B, long C, DType L>
Tensor<f32> cross_entropy(const Tensor<f32, B, C> &logits, const Tensor<L, B> &labels, LOOM_HERE) {
  return nll_loss(log_softmax(logits, loc), labels, loc);
}

/// Fraction of rows whose largest logit is the label.
template <long B, long C, DType L> Tensor<f32> accuracy(const Tensor<f32, B, C> &logits, const Tensor<L, B> &labels, LOOM_HERE) {
  return mean(cast<f32>(loom::equal(argmax<1>(logits, loc), cast<i64>(labels, loc), loc), loc), loc);
}

} // namespace loom
