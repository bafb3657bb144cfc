// The E4 networks' train steps at batch 64, for bench/edge_step.
#include "nets.hpp"

using namespace loom;
using namespace e4nets;

LOOM_GENERATOR(edge_bench) {
  SimpleCNN<3> cnn{"cnn"};
  MLP<3> mlp{"mlp"};
  auto step = [](auto &net) {
    return [&net](In<"x", f32, 64, 1, 28, 28> x, In<"labels", i64, 64> labels) { return cross_entropy(net(x), labels); };
  };
  export_train_step("cnn_train", step(cnn), SGD{.momentum = 0.9});
  export_train_step("mlp_train", step(mlp), SGD{.momentum = 0.9});
}
