// E1 i's ConvNet (no dropout, no cheat), trained data-parallel: one train step
// per process count, each process taking its share of a global batch of 64
// (64 for one process, 32 each for two, 16 each for four).
#include "../dropout/convnet.hpp"

using namespace loom;
using examples::ConvNet;

LOOM_GENERATOR(dp_convnet) {
  ConvNet<1, 28> net{"net"};
  auto step = [&]<long B>() {
    return [&](In<"x", f32, B, 1, 28, 28> x, In<"labels", i64, B> labels) {
      return nll_loss(net(x, full<f32>(0.0)), labels);
    };
  };
  const SGD sgd{.momentum = 0.9};
  export_train_step("train_1", step.template operator()<64>(), sgd, DataParallel{});
  export_train_step("train_2", step.template operator()<32>(), sgd, DataParallel{});
  export_train_step("train_4", step.template operator()<16>(), sgd, DataParallel{});
  export_function("predict", [&](In<"x", f32, 100, 1, 28, 28> x) { return out<"logp">(net(x, full<f32>(0.0))); });
}
