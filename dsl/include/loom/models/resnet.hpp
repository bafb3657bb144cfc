// ResNets as torchvision defines them (v1.5: the stride on the 3x3 conv of a
// Bottleneck), with torchvision's parameter and buffer names (conv1.weight,
// layer1.0.bn2.running_var, layer2.0.downsample.0.weight, fc.bias, ...), so a
// state_dict saved by torchvision lines up name for name.
//
//   models::ResNet152<1000> net;                      // torchvision's resnet152() (ImageNet stem)
//   auto logits = net(x);                             // x: Tensor<f32, B, 3, 224, 224>, any size >= 32
//   models::ResNet18<10, models::Stem::cifar> small;  // 3x3 stem, no max pool (32x32 inputs)
//
// Stem::imagenet is torchvision's: 7x7 stride-2 conv without bias, BN, ReLU,
// 3x3 stride-2 max pool with padding 1. Stem::cifar is the variant CIFAR
// papers use (3x3 stride-1 conv without bias, BN, ReLU, no max pool). The
// input's size is the tensor's (any size the stride-32 network reduces to at
// least 1x1); the class count is a template argument. Header-only, like the DSL.
#pragma once

#include "loom/loom.hpp"

#include <string>
#include <vector>

namespace loom::models {

enum class Stem { imagenet, cifar };

namespace detail {
inline std::string join(const std::string &prefix, const std::string &name) {
  return prefix.empty() ? name : prefix + "." + name;
}
} // namespace detail

/// conv (no bias) followed by BatchNorm: torchvision's building pair.
template <long In, long Out, long K, long Stride> struct ConvBN {
  static constexpr Conv opts{.stride = Stride, .padding = K / 2, .bias = false};
  Conv2d<In, Out, K, opts> conv;
  BatchNorm2d<Out> bn;
  ConvBN(const std::string &conv_name, const std::string &bn_name) : conv(conv_name), bn(bn_name) {}
  template <long N, long H, long W> auto operator()(const Tensor<f32, N, In, H, W> &x) const { return bn(conv(x)); }
};

/// torchvision's BasicBlock: 3x3 (stride) -> BN -> ReLU -> 3x3 -> BN, plus the
/// shortcut (a 1x1 stride conv + BN where the shape changes), then ReLU.
template <long In, long Planes, long Stride> struct BasicBlock {
  static constexpr long expansion = 1, out_channels = Planes;
  static constexpr bool downsample = Stride != 1 || In != Planes;
  ConvBN<In, Planes, 3, Stride> c1;
  ConvBN<Planes, Planes, 3, 1> c2;
  std::vector<ConvBN<In, Planes, 1, Stride>> down; // one element where the shape changes
  explicit BasicBlock(const std::string &n)
      : c1(detail::join(n, "conv1"), detail::join(n, "bn1")), c2(detail::join(n, "conv2"), detail::join(n, "bn2")) {
    if (downsample) down.emplace_back(detail::join(n, "downsample.0"), detail::join(n, "downsample.1"));
  }
  template <long N, long H, long W> auto operator()(const Tensor<f32, N, In, H, W> &x) const {
    auto y = c2(relu(c1(x)));
    if constexpr (downsample) return relu(y + down[0](x));
    else return relu(y + x);
  }
};

/// torchvision's Bottleneck (v1.5): 1x1 -> BN -> ReLU -> 3x3 (stride) -> BN ->
/// ReLU -> 1x1 (x4) -> BN, plus the shortcut, then ReLU.
template <long In, long Planes, long Stride> struct Bottleneck {
  static constexpr long expansion = 4, out_channels = Planes * 4;
  static constexpr bool downsample = Stride != 1 || In != out_channels;
  ConvBN<In, Planes, 1, 1> c1;
  ConvBN<Planes, Planes, 3, Stride> c2;
  ConvBN<Planes, out_channels, 1, 1> c3;
  std::vector<ConvBN<In, out_channels, 1, Stride>> down;
  explicit Bottleneck(const std::string &n)
      : c1(detail::join(n, "conv1"), detail::join(n, "bn1")), c2(detail::join(n, "conv2"), detail::join(n, "bn2")),
        c3(detail::join(n, "conv3"), detail::join(n, "bn3")) {
    if (downsample) down.emplace_back(detail::join(n, "downsample.0"), detail::join(n, "downsample.1"));
  }
  template <long N, long H, long W> auto operator()(const Tensor<f32, N, In, H, W> &x) const {
    auto y = c3(relu(c2(relu(c1(x)))));
    if constexpr (downsample) return relu(y + down[0](x));
    else return relu(y + x);
  }
};

/// One stage (torchvision's layerK): the first block takes the stride and the
/// channel change, the other Count - 1 are identical (same type, same shapes).
template <template <long, long, long> class Block, long In, long Planes, long Stride, long Count> struct Stage {
  using First = Block<In, Planes, Stride>;
  using Rest = Block<First::out_channels, Planes, 1>;
  static constexpr long out_channels = First::out_channels;
  First first;
  std::vector<Rest> rest;
  explicit Stage(const std::string &n) : first(n + ".0") {
    for (long i = 1; i < Count; ++i) rest.emplace_back(n + "." + std::to_string(i));
  }
  template <long N, long H, long W> auto operator()(const Tensor<f32, N, In, H, W> &x) const {
    auto y = first(x);
    for (const auto &b : rest) y = b(y);
    return y;
  }
};

/// ResNet<Block, {blocks per stage}, Classes, Stem>: torchvision's ResNet with
/// 64/128/256/512 planes and strides 1/2/2/2.
template <template <long, long, long> class Block, long L1, long L2, long L3, long L4, long Classes,
          Stem S = Stem::imagenet>
struct ResNet {
  static constexpr long E = Block<64, 64, 1>::expansion;
  static constexpr bool imagenet = S == Stem::imagenet;
  ConvBN<3, 64, imagenet ? 7 : 3, imagenet ? 2 : 1> stem; // conv1 + bn1
  Stage<Block, 64, 64, 1, L1> layer1;
  Stage<Block, 64 * E, 128, 2, L2> layer2;
  Stage<Block, 128 * E, 256, 2, L3> layer3;
  Stage<Block, 256 * E, 512, 2, L4> layer4;
  Linear<512 * E, Classes> fc;
  explicit ResNet(const std::string &prefix = "")
      : stem(detail::join(prefix, "conv1"), detail::join(prefix, "bn1")), layer1(detail::join(prefix, "layer1")),
        layer2(detail::join(prefix, "layer2")), layer3(detail::join(prefix, "layer3")),
        layer4(detail::join(prefix, "layer4")), fc(detail::join(prefix, "fc")) {}
  template <long N, long H, long W> auto operator()(const Tensor<f32, N, 3, H, W> &x) const {
    auto h = [&] {
      if constexpr (imagenet) return max_pool2d<3, 2, 1>(relu(stem(x)));
      else return relu(stem(x));
    }();
    return fc(global_avg_pool(layer4(layer3(layer2(layer1(h))))));
  }
};

template <long Classes, Stem S = Stem::imagenet> using ResNet18 = ResNet<BasicBlock, 2, 2, 2, 2, Classes, S>;
template <long Classes, Stem S = Stem::imagenet> using ResNet34 = ResNet<BasicBlock, 3, 4, 6, 3, Classes, S>;
template <long Classes, Stem S = Stem::imagenet> using ResNet50 = ResNet<Bottleneck, 3, 4, 6, 3, Classes, S>;
template <long Classes, Stem S = Stem::imagenet> using ResNet101 = ResNet<Bottleneck, 3, 4, 23, 3, Classes, S>;
template <long Classes, Stem S = Stem::imagenet> using ResNet152 = ResNet<Bottleneck, 3, 8, 36, 3, Classes, S>;

} // namespace loom::models
