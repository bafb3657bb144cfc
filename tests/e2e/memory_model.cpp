// A small CNN's train step at batch 128 on 32x32 images, one model per
// optimizer (LOOM_MEMORY_OPTIMIZER: 0 SGD, 1 SGD momentum, 2 Adam), so each
// process holds just that optimizer's state: memory_test checks the compiled
// memory plan against what the runtime and the process measure.
#include <loom/loom.hpp>

using namespace loom;

#define LOOM_CAT2(a, b) a##b
#define LOOM_CAT(a, b) LOOM_CAT2(a, b)
#if LOOM_MEMORY_OPTIMIZER == 0
#define MEMORY_MODEL memory_sgd
#elif LOOM_MEMORY_OPTIMIZER == 1
#define MEMORY_MODEL memory_momentum
#else
#define MEMORY_MODEL memory_adam
#endif

struct Cnn {
  Conv2d<3, 32, 3, Conv{.padding = 1, .bias = false}> c1{"c1"};
  BatchNorm2d<32> bn1{"bn1"};
  Conv2d<32, 64, 3, Conv{.stride = 2, .padding = 1, .bias = false}> c2{"c2"};
  BatchNorm2d<64> bn2{"bn2"};
  Linear<64 * 16 * 16, 10> fc{"fc"};
  template <long N> auto operator()(const Tensor<f32, N, 3, 32, 32> &x) const {
    auto h = relu(bn2(c2(relu(bn1(c1(x))))));
    return fc(flatten(h));
  }
};

// LOOM_GENERATOR pastes its argument: expand the name first.
#define MEMORY_GENERATOR(NAME) LOOM_GENERATOR(NAME)
MEMORY_GENERATOR(MEMORY_MODEL) {
  Cnn net;
  auto loss = [&](In<"x", f32, 128, 3, 32, 32> x, In<"labels", i64, 128> labels) {
    return cross_entropy(net(x), labels);
  };
#if LOOM_MEMORY_OPTIMIZER == 0
  export_train_step("train", loss, SGD{});
#elif LOOM_MEMORY_OPTIMIZER == 1
  export_train_step("train", loss, SGD{.momentum = 0.9});
#else
  export_train_step("train", loss, Adam{});
#endif
}
