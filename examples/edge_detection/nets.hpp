// The two networks of E4, exactly as the homework specifies (shared by the
// example's generator and bench/edge_step).
#pragma once

#include <loom/loom.hpp>

namespace e4nets {
using namespace loom;

enum class Pool { max, avg };

/// conv 1->3 KxK reflect pad, ReLU, 2x2 pool, conv 3->3 KxK reflect pad, ReLU,
/// global average pooling, linear 3->Classes.
template <long Classes, long K = 7, Pool P = Pool::max> struct SimpleCNN {
  static constexpr Conv opts{.padding = K / 2, .mode = Pad::reflect};
  Conv2d<1, 3, K, opts> conv1;
  Conv2d<3, 3, K, opts> conv2;
  Linear<3, Classes> fc;
  explicit SimpleCNN(const std::string &n) : conv1(n + ".conv1"), conv2(n + ".conv2"), fc(n + ".fc") {}
  template <long B> auto operator()(const Tensor<f32, B, 1, 28, 28> &x) const {
    auto h = relu(conv1(x));
    auto p = [&] {
      if constexpr (P == Pool::max) return max_pool2d<2>(h);
      else return avg_pool2d<2>(h);
    }();
    return fc(global_avg_pool(relu(conv2(p))));
  }
};

/// 784-50-10-Classes with ReLU.
template <long Classes> struct MLP {
  Linear<784, 50> fc1;
  Linear<50, 10> fc2;
  Linear<10, Classes> fc3;
  explicit MLP(const std::string &n) : fc1(n + ".fc1"), fc2(n + ".fc2"), fc3(n + ".fc3") {}
  template <long B> auto operator()(const Tensor<f32, B, 1, 28, 28> &x) const {
    return fc3(relu(fc2(relu(fc1(flatten(x))))));
  }
};

} // namespace e4nets
