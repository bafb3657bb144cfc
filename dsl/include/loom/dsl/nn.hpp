// Convolutional-network layers: padding, conv2d, pooling, batch norm. Padding
// is one loom.pad and conv2d one op, each with its own gradient ops; pooling
// and batch norm are compositions of loom ops (so their gradients are those ops').
#pragma once

#include "loom/dsl/layers.hpp"
#include "loom/dsl/losses.hpp"

#include <limits>

namespace loom {

/// How pad2d and Conv fill the border (loom.pad's mode, declared in LoomOps.td).
using Pad = ops::PadMode;

/// Options of a convolution, a structural type so they can be template
/// arguments (the output shape depends on them): Conv{.padding = 3, .mode = Pad::reflect}.
struct Conv {
  long stride = 1, padding = 0, dilation = 1, groups = 1;
  Pad mode = Pad::zeros;
  bool bias = true;
};


/// Pads the last two axes of [N, C, H, W] by P on every side; reflect needs P < H and P < W.
template <long P, Pad Mode = Pad::zeros, DType T, long N, long C, long H, long W>
auto pad2d(const Tensor<T, N, C, H, W> &x, LOOM_HERE) {
  LOOM_REQUIRE(Mode == Pad::zeros || (P < H && P < W), "loom: reflect padding must be smaller than the input",
               "pad2d: reflect padding ", P, " needs an input larger than that, got ", dims_v<N, C, H, W>);
  if constexpr (P == 0 || (Mode == Pad::reflect && !(P < H && P < W))) return x;
  else {
    // One loom.pad: reflect as PyTorch's (x[P], ..., x[1], x, x[n-2], ..., x[n-1-P]).
    std::vector<int64_t> pads{0, 0, P, P};
    return detail::record<Tensor<T, N, C, H + 2 * P, W + 2 * P>>(ops::pad{.low = pads, .high = pads, .mode = Mode},
                                                               {x.node()}, loc);
  }
}

/// 2-D convolution of x [N, C, H, W] with w [O, C/groups, K, K] (PyTorch's conv2d,
/// padding as Opts says).
template <Conv Opts, long N, long C, long H, long W, long O, long CG, long KH, long KW>
auto conv2d(const Tensor<f32, N, C, H, W> &x, const Tensor<f32, O, CG, KH, KW> &w, LOOM_HERE) {
  constexpr long s = Opts.stride, d = Opts.dilation, g = Opts.groups, p = Opts.padding;
  constexpr long OH = (H + 2 * p - d * (KH - 1) - 1) / s + 1, OW = (W + 2 * p - d * (KW - 1) - 1) / s + 1;
  constexpr bool channels = g >= 1 && C % g == 0 && O % g == 0 && CG * g == C;
  LOOM_REQUIRE(channels, "loom: conv2d: the filter's channels do not match the input's",
               "conv2d: input ", dims_v<N, C, H, W>, " and filter ", dims_v<O, CG, KH, KW>, " with groups = ", g,
               ": the filter needs ", C, "/groups input channels and groups must divide ", O);
  LOOM_REQUIRE(OH >= 1 && OW >= 1 && s >= 1 && d >= 1, "loom: conv2d: the filter does not fit the input",
               "conv2d: filter ", dims_v<O, CG, KH, KW>, " (dilation ", d, ") does not fit input ", dims_v<N, C, H, W>,
               " padded by ", p);
  if constexpr (!channels || !(OH >= 1 && OW >= 1 && s >= 1 && d >= 1))
    return Tensor<f32, N, O, (OH >= 1 ? OH : 1), (OW >= 1 ? OW : 1)>::from_node(x.node()); // carry on: no cascade
  else {
    auto xp = pad2d<p, Opts.mode>(x, loc);
    return detail::record<Tensor<f32, N, O, OH, OW>>(
        ops::conv2d{.strides = {s, s}, .dilations = {d, d}, .groups = g}, {xp.node(), w.node()}, loc);
  }
}
template <Conv Opts, long N, long C, long H, long W, long O, long CG, long KH, long KW>
auto conv2d(const Tensor<f32, N, C, H, W> &x, const Tensor<f32, O, CG, KH, KW> &w, const Tensor<f32, O> &b, LOOM_HERE) {
  auto y = conv2d<Opts>(x, w, loc);
  return add(y, reshape<1, O, 1, 1>(b, loc), loc);
}

/// Conv2d<In, Out, K, Conv{...}>: weight [Out, In/groups, K, K] and bias [Out], PyTorch's defaults.
/// With Conv{.bias = false} there is no bias parameter at all (as PyTorch's bias=False:
/// nothing to store, load or update).
template <long In, long Out, long K, Conv Opts = Conv{}> struct Conv2d {
  struct NoBias {
    NoBias(const std::string &, graph::Init, const loc_t &) {}
  };
  static constexpr long fan_in = In / Opts.groups * K * K;
  Param<f32, Out, In / Opts.groups, K, K> weight;
  [[no_unique_address]] std::conditional_t<Opts.bias, Param<f32, Out>, NoBias> bias;
  explicit Conv2d(const std::string &name, LOOM_HERE)
      : weight(name + ".weight", init::torch_default(fan_in), loc),
        bias(name + ".bias", init::torch_default(fan_in), loc) {}
  template <long... D> auto operator()(const Tensor<f32, D...> &x, LOOM_HERE) const {
    constexpr auto s = dims_v<D...>;
    constexpr bool ok = sizeof...(D) == 4 && s[sizeof...(D) == 4 ? 1 : 0] == In;
    LOOM_REQUIRE(ok, "loom: Conv2d: the input is not [N, in_channels, H, W]", "Conv2d<", In, ",", Out, ",", K,
                 ">: expects input [N,", In, ",H,W], got ", s);
    // After an error, carry on as if the input had the layer's channels (no cascade of errors).
    if constexpr (sizeof...(D) != 4) return x;
    else {
      auto xi = Tensor<f32, s[0], In, s[2], s[3]>::from_node(x.node());
      if constexpr (Opts.bias) return conv2d<Opts>(xi, weight, bias, loc);
      else return conv2d<Opts>(xi, weight, loc);
    }
  }
};

namespace detail {
/// [N, C, H, W] -> [N, C, H/K, W/K, K*K]: the non-overlapping KxK windows (a
/// remainder is dropped, as PyTorch's floor mode does).
template <long K, DType T, long N, long C, long H, long W> auto windows(const Tensor<T, N, C, H, W> &x, const loc_t &loc) {
  constexpr long OH = H / K, OW = W / K;
  auto cropped = [&] {
    if constexpr (OH * K == H && OW * K == W) return x;
    else return slice<3, 0, OW * K>(slice<2, 0, OH * K>(x, loc), loc);
  }();
  auto blocks = reshape<N, C, OH, K, OW, K>(cropped, loc);
  return reshape<N, C, OH, OW, K * K>(permute<0, 1, 2, 4, 3, 5>(blocks, loc), loc);
}
} // namespace detail

namespace detail {
/// [N, C, H, W] -> [N, C, OH, OW, K*K]: the KxK windows at stride S, row-major
/// within a window (so argmax finds PyTorch's first maximum), one strided slice
/// per tap.
template <long K, long S, DType T, long N, long C, long H, long W>
auto strided_windows(const Tensor<T, N, C, H, W> &x, const loc_t &loc) {
  constexpr long OH = (H - K) / S + 1, OW = (W - K) / S + 1;
  return [&]<std::size_t... I>(std::index_sequence<I...>) {
    auto tap = [&]<long A, long B>() {
      auto v = slice<3, B, B + S * (OW - 1) + 1, S>(slice<2, A, A + S * (OH - 1) + 1, S>(x, loc), loc);
      return reshape<N, C, OH, OW, 1>(v, loc);
    };
    return concat<4>(tap.template operator()<long(I) / K, long(I) % K>()...);
  }(std::make_index_sequence<K * K>{});
}
} // namespace detail

/// 2-D max pooling as PyTorch's MaxPool2d(K, Stride, Padding): KxK windows at
/// the stride (default K) over the input padded by Padding (at most K / 2) with
/// a value no element exceeds; floor mode. The gradient goes to the first
/// maximum of each window, as PyTorch's does. ResNet's stem: max_pool2d<3, 2, 1>.
template <long K, long Stride = K, long Padding = 0, DType T, long N, long C, long H, long W>
auto max_pool2d(const Tensor<T, N, C, H, W> &x, LOOM_HERE) {
  constexpr bool fits = K >= 1 && Stride >= 1 && Padding >= 0 && 2 * Padding <= K && H + 2 * Padding >= K &&
                        W + 2 * Padding >= K;
  LOOM_REQUIRE(fits, "loom: max_pool2d: the window does not fit the input, or the padding exceeds half the window",
               "max_pool2d<", K, ",", Stride, ",", Padding, ">: window ", K, " stride ", Stride, " padding ", Padding,
               " on input ", dims_v<N, C, H, W>, " (padding at most ", K / 2, ")");
  if constexpr (!fits) return x;
  else {
    auto win = [&] {
      if constexpr (Stride == K && Padding == 0) return detail::windows<K>(x, loc);
      else if constexpr (Padding == 0) return detail::strided_windows<K, Stride>(x, loc);
      else {
        // Zeros around the input, then the lowest float there (not -inf: the
        // selection below multiplies every element by 0 or 1).
        constexpr long PH = H + 2 * Padding, PW = W + 2 * Padding;
        std::vector<double> border(PH * PW, 0.0);
        for (long i = 0; i < PH; ++i)
          for (long j = 0; j < PW; ++j)
            if (i < Padding || j < Padding || i >= H + Padding || j >= W + Padding)
              border[i * PW + j] = double(std::numeric_limits<float>::lowest());
        auto padded = add(pad2d<Padding>(x, loc), constant<T, 1, 1, PH, PW>(std::move(border), loc), loc);
        return detail::strided_windows<K, Stride>(padded, loc);
      }
    }();
    auto first_max = one_hot<K * K>(argmax<4>(win, loc), loc); // not differentiable: selects one element
    return sum<4>(mul(win, first_max, loc), loc);
  }
}

/// 2-D average pooling with a KxK window and stride K.
template <long K, DType T, long N, long C, long H, long W> auto avg_pool2d(const Tensor<T, N, C, H, W> &x, LOOM_HERE) {
  LOOM_REQUIRE(H >= K && W >= K, "loom: avg_pool2d: the window is larger than the input", "avg_pool2d<", K,
               ">: window larger than input ", dims_v<N, C, H, W>);
  if constexpr (!(H >= K && W >= K)) return Tensor<T, N, C, 1, 1>::from_node(x.node()); // carry on: no cascade
  else return mean<4>(detail::windows<K>(x, loc), loc);
}

namespace detail {
/// PyTorch's adaptive pooling windows along one axis: output i averages input
/// [floor(i n / S), ceil((i + 1) n / S)).
template <long Axis, long S, DType T, long... D> auto adaptive_mean_axis(const Tensor<T, D...> &x, const loc_t &loc) {
  constexpr long n = dims_v<D...>[Axis];
  return [&]<std::size_t... I>(std::index_sequence<I...>) {
    auto cell = [&]<long Start, long End>() {
      auto m = mean<Axis>(slice<Axis, Start, End>(x, loc), loc);
      constexpr auto kept = [] {
        auto s = dims_v<D...>;
        s[Axis] = 1;
        return s;
      }();
      return reshape_to<tensor_from_t<T, kept>>(m, loc);
    };
    return concat<Axis>(cell.template operator()<long(I) * n / S, (long(I + 1) * n + S - 1) / S>()...);
  }(std::make_index_sequence<S>{});
}
} // namespace detail

/// Adaptive average pooling to S x S, with PyTorch's windows (equal ones when
/// S divides the size, overlapping ones otherwise).
template <long S, DType T, long N, long C, long H, long W>
auto adaptive_avg_pool2d(const Tensor<T, N, C, H, W> &x, LOOM_HERE) {
  LOOM_REQUIRE(S >= 1 && S <= H && S <= W, "loom: adaptive_avg_pool2d: output larger than the input",
               "adaptive_avg_pool2d<", S, ">: output larger than the input ", dims_v<N, C, H, W>);
  if constexpr (H % S == 0 && W % S == 0 && H == W) return avg_pool2d<H / S>(x, loc);
  else return detail::adaptive_mean_axis<3, S>(detail::adaptive_mean_axis<2, S>(x, loc), loc);
}

/// [N, C, H, W] -> [N, C]: the mean of each channel.
template <DType T, long N, long C, long H, long W> Tensor<T, N, C> global_avg_pool(const Tensor<T, N, C, H, W> &x, LOOM_HERE) {
  return mean<2, 3>(x, loc);
}

/// BatchNorm2d<C>: PyTorch's (momentum 0.1, eps 1e-5, affine, running statistics).
/// In train steps it normalises with the batch's statistics and updates the
/// running ones in place; in forward exports it uses the running ones.
template <long C> struct BatchNorm2d {
  double momentum = 0.1, eps = 1e-5;
  Param<f32, C> weight, bias, running_mean, running_var;
  explicit BatchNorm2d(const std::string &name, LOOM_HERE)
      : weight(name + ".weight", init::ones(), loc), bias(name + ".bias", init::zeros(), loc),
        running_mean(name + ".running_mean", init::zeros(), loc), running_var(name + ".running_var", init::ones(), loc) {
    running_mean.freeze(), running_var.freeze();
  }
  template <long... D> auto operator()(const Tensor<f32, D...> &x, LOOM_HERE) const {
    constexpr auto s = dims_v<D...>;
    constexpr bool ok = sizeof...(D) == 4 && s[sizeof...(D) == 4 ? 1 : 0] == C;
    LOOM_REQUIRE(ok, "loom: BatchNorm2d: the input is not [N, channels, H, W]", "BatchNorm2d<", C,
                 ">: expects input [N,", C, ",H,W], got ", s);
    if constexpr (sizeof...(D) != 4) return x;
    else return apply(Tensor<f32, s[0], C, s[2], s[3]>::from_node(x.node()), loc); // (carries on after an error)
  }

private:
  template <long N, long H, long W> Tensor<f32, N, C, H, W> apply(const Tensor<f32, N, C, H, W> &x, const loc_t &loc) const {
    auto per_channel = [&](const Tensor<f32, C> &v) { return reshape<1, C, 1, 1>(v, loc); };
    auto &tr = detail::Tracer::get();
    if (!tr.training()) {
      auto inv = div(1.0f, sqrt(add(running_var, float(eps), loc), loc), loc);
      return add(mul(mul(sub(x, per_channel(running_mean), loc), per_channel(inv), loc), per_channel(weight), loc),
                 per_channel(bias), loc);
    }
    constexpr double count = double(N) * H * W;
    auto mu = mean<0, 2, 3>(x, loc);
    auto centred = sub(x, per_channel(mu), loc);
    auto var = mean<0, 2, 3>(mul(centred, centred, loc), loc); // biased, for normalising
    auto inv = div(1.0f, sqrt(add(var, float(eps), loc), loc), loc);
    // Running statistics (the unbiased variance, as PyTorch), written back by the train step.
    auto m = float(momentum);
    tr.update_buffer(running_mean, add(mul(running_mean, 1 - m, loc), mul(stop_gradient(mu, loc), m, loc), loc));
    auto unbiased = mul(stop_gradient(var, loc), float(count / std::max(1.0, count - 1)), loc);
    tr.update_buffer(running_var, add(mul(running_var, 1 - m, loc), mul(unbiased, m, loc), loc));
    return add(mul(mul(centred, per_channel(inv), loc), per_channel(weight), loc), per_channel(bias), loc);
  }
};

} // namespace loom
