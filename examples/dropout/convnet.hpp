// E1 i's ConvNet, as the homework specifies: conv3x3 16, maxpool 2, ReLU,
// dropout, conv3x3 32, maxpool 2, ReLU, dropout, linear to 10 classes,
// log-softmax. Shared by E1 i (cheat_model.cpp) and the data-parallel example
// (examples/data_parallel).
#pragma once

#include <loom/loom.hpp>

namespace examples {

using namespace loom;

/// For C x S x S images (Fashion-MNIST: 1 x 28 x 28, CIFAR-10: 3 x 32 x 32).
/// The 3x3 convolutions keep the size (padding 1). With PyTorch's default
/// padding 0 the network cannot see the cheat at all: the second pooling's
/// floor mode drops exactly the row of activations that the bottom image row
/// reaches (28 -> 26 -> 13 -> 11 -> 5 drops row 10; CIFAR's 32 likewise).
template <long C, long S> struct ConvNet {
  static constexpr long After = S / 4; // two 2x2 pools
  Conv2d<C, 16, 3, Conv{.padding = 1}> conv1;
  Conv2d<16, 32, 3, Conv{.padding = 1}> conv2;
  Linear<32 * After * After, 10> fc;
  explicit ConvNet(const std::string &n) : conv1(n + ".conv1"), conv2(n + ".conv2"), fc(n + ".fc") {}
  template <long B> auto operator()(const Tensor<f32, B, C, S, S> &x, const Tensor<f32> &p) const {
    auto h = dropout(relu(max_pool2d<2>(conv1(x))), p);
    auto g = dropout(relu(max_pool2d<2>(conv2(h))), p);
    return log_softmax(fc(flatten(g)));
  }
};

} // namespace examples
