// A 784-256-10 multilayer perceptron: the forward pass of a Fashion-MNIST classifier.
#include <loom/loom.hpp>

using namespace loom;

struct Mlp {
  Linear<784, 256> fc1{"fc1"};
  Linear<256, 10> fc2{"fc2"};

  template <long B> auto operator()(const Tensor<f32, B, 784> &x) const {
    return fc2(relu(fc1(x)));                       // Tensor<f32, B, 10>
  }
};

LOOM_GENERATOR(mlp) {
  Mlp net;
  export_function("predict", [&](In<"x", f32, 64, 784> x) { return out<"logits">(net(x)); });
}
