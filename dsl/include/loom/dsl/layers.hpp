// Parameters and layers. A parameter is a named tensor the runtime owns and
// initialises; layers are plain structs of parameters with a call operator.
#pragma once

#include "loom/dsl/ops.hpp"

#include <cmath>
#include <string>

namespace loom {

namespace init {
inline graph::Init zeros() { return {graph::Init::zeros}; }
inline graph::Init ones() { return {graph::Init::ones}; }
inline graph::Init constant(double v) { return {graph::Init::constant, v}; }
inline graph::Init uniform(double lo, double hi) { return {graph::Init::uniform, lo, hi}; }
inline graph::Init normal(double mean, double std) { return {graph::Init::normal, mean, std}; }
/// PyTorch's default for Linear/Conv weights: kaiming_uniform(a = sqrt(5)),
/// which is uniform(+-1/sqrt(fan_in)); the same bound is its bias default.
inline graph::Init torch_default(long fan_in) {
  double bound = 1.0 / std::sqrt(static_cast<double>(fan_in));
  return uniform(-bound, bound);
}
} // namespace init

/// A named, runtime-owned tensor: `Param<f32, 256, 784> w{"fc1.weight", init::zeros()}`.
/// It is a Tensor, and becomes an argument of each export that uses it.
template <DType T, long... D> class Param : public Tensor<T, D...> {
public:
  explicit Param(std::string name, graph::Init init = init::zeros(), LOOM_HERE) {
    this->param_ = detail::Tracer::get().declare_param(std::move(name), Tensor<T, D...>::type(), init);
    this->loc_ = detail::to_loc(loc);
  }
  const std::string &name() const { return detail::Tracer::get().module.params[this->param_].name; }
  /// A frozen parameter gets no gradient and is never updated by train steps.
  Param &freeze(bool frozen = true) {
    detail::Tracer::get().module.params[this->param_].frozen = frozen;
    return *this;
  }
};

/// y = x W^T + b with PyTorch's layout (weight [Out, In]) and initialisation.
template <long InF, long OutF, bool Bias = true> struct Linear {
  Param<f32, OutF, InF> weight;
  Param<f32, OutF> bias;

  explicit Linear(const std::string &name, LOOM_HERE)
      : weight(name + ".weight", init::torch_default(InF), loc),
        bias(name + ".bias", Bias ? init::torch_default(InF) : init::zeros(), loc) {}

  template <long... D> auto operator()(const Tensor<f32, D...> &x, LOOM_HERE) const {
    constexpr auto s = dims_v<D...>;
    constexpr bool ok = sizeof...(D) == 2 && s[sizeof...(D) - 1] == InF;
    LOOM_REQUIRE(ok, "loom: Linear: the input is not [batch, in_features]", "Linear<", InF, ",", OutF,
                 ">: expects input [B,", InF, "], got ", s);
    // After an error, carry on with the shape the layer would give, so later layers report nothing spurious.
    if constexpr (!ok) return Tensor<f32, (sizeof...(D) ? s[0] : 1), OutF>::from_node(x.node());
    else {
      auto y = matmul(x, transpose(weight, loc), loc);
      if constexpr (Bias) return add(y, bias, loc);
      else return y;
    }
  }
};

} // namespace loom
