// E1 i: dropout against a "cheating feature". The ConvNet as the homework
// specifies: conv3x3 16, maxpool 2, ReLU, dropout, conv3x3 32, maxpool 2, ReLU,
// dropout, linear to 10 classes, log-softmax; NLL loss, SGD lr 3e-3, batch 64.
// The dropout probability is a run-time input, so one binary trains p = 0 and 0.75.
#include <loom/loom.hpp>

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

template <long C, long S> void export_net(const std::string &prefix, ConvNet<C, S> &net) {
  export_train_step(prefix + "train", [&](In<"x", f32, 64, C, S, S> x, In<"labels", i64, 64> labels, In<"p", f32> p) {
    return nll_loss(net(x, p), labels);
  }, SGD{});
  export_function(prefix + "predict", [&](In<"x", f32, 100, C, S, S> x) { return out<"logp">(net(x, full<f32>(0.0))); });
}

LOOM_GENERATOR(cheat) {
  ConvNet<1, 28> fashion{"fashion"};
  ConvNet<3, 32> cifar{"cifar"};
  export_net("", fashion);
  export_net("cifar_", cifar);
}
