// Small networks' train steps at batch 64, for bench/edge_step: E4's CNN and
// MLP, and LeNet-5 (ReLU and max pooling, as PyTorch's tutorials have it; its
// first convolution padded by 2 so that 28x28 images give the 5x5x16 features
// of the original's 32x32). E1 i's ConvNet is the dropout example's model.
#include "nets.hpp"

using namespace loom;
using namespace e4nets;

struct LeNet5 {
  Conv2d<1, 6, 5, Conv{.padding = 2}> c1{"lenet.c1"};
  Conv2d<6, 16, 5> c3{"lenet.c3"};
  Linear<400, 120> f5{"lenet.f5"};
  Linear<120, 84> f6{"lenet.f6"};
  Linear<84, 10> f7{"lenet.f7"};
  template <long B> auto operator()(const Tensor<f32, B, 1, 28, 28> &x) const {
    auto a = max_pool2d<2>(relu(c1(x)));
    auto b = max_pool2d<2>(relu(c3(a)));
    return f7(relu(f6(relu(f5(flatten(b))))));
  }
};

LOOM_GENERATOR(edge_bench) {
  SimpleCNN<3> cnn{"cnn"};
  MLP<3> mlp{"mlp"};
  LeNet5 lenet;
  auto step = [](auto &net) {
    return [&net](In<"x", f32, 64, 1, 28, 28> x, In<"labels", i64, 64> labels) { return cross_entropy(net(x), labels); };
  };
  export_train_step("cnn_train", step(cnn), SGD{.momentum = 0.9});
  export_train_step("mlp_train", step(mlp), SGD{.momentum = 0.9});
  export_train_step("lenet_train", step(lenet), SGD{.momentum = 0.9});
}
