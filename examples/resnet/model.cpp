// E5's models (examples/resnet): torchvision's ResNet-152 with 10 classes, one
// train step per optimizer (LOOM_E5_OPTIMIZER 0: SGD, 1: SGD momentum 0.9,
// 2: Adam), each its own model so a process holds one optimizer's state; and
// (LOOM_E5_SWEEP) torchvision's ResNet-18 with train steps at batch 4, 16, 64
// and 256 and a forward for the test accuracy. The CPU sizes are scaled down
// from the homework's 224x224 (README: 64x64 for ResNet-152, Fashion-MNIST at
// 32x32 for the sweep).
#include <loom/models/resnet.hpp>

using namespace loom;

#ifdef LOOM_E5_SWEEP
LOOM_GENERATOR(resnet18_sweep) {
  models::ResNet18<10> net;
  auto loss = [&](const auto &x, const auto &labels) { return cross_entropy(net(x), labels); };
  export_train_step("train_4", [&](In<"x", f32, 4, 3, 32, 32> x, In<"labels", i64, 4> y) { return loss(x, y); }, SGD{});
  export_train_step("train_16", [&](In<"x", f32, 16, 3, 32, 32> x, In<"labels", i64, 16> y) { return loss(x, y); }, SGD{});
  export_train_step("train_64", [&](In<"x", f32, 64, 3, 32, 32> x, In<"labels", i64, 64> y) { return loss(x, y); }, SGD{});
  export_train_step("train_256", [&](In<"x", f32, 256, 3, 32, 32> x, In<"labels", i64, 256> y) { return loss(x, y); },
                    SGD{});
  export_function("predict", [&](In<"x", f32, 250, 3, 32, 32> x) { return out<"logits">(net(x)); });
}
#else
#define LOOM_CAT2(a, b) a##b
#define LOOM_CAT(a, b) LOOM_CAT2(a, b)
#if LOOM_E5_OPTIMIZER == 0
#define E5_MODEL resnet152_sgd
#elif LOOM_E5_OPTIMIZER == 1
#define E5_MODEL resnet152_momentum
#else
#define E5_MODEL resnet152_adam
#endif
// LOOM_GENERATOR pastes its argument: expand the name first.
#define E5_GENERATOR(NAME) LOOM_GENERATOR(NAME)
E5_GENERATOR(E5_MODEL) {
  models::ResNet152<10> net;
  auto loss = [&](In<"x", f32, 8, 3, 64, 64> x, In<"labels", i64, 8> labels) { return cross_entropy(net(x), labels); };
#if LOOM_E5_OPTIMIZER == 0
  export_train_step("train", loss, SGD{});
#elif LOOM_E5_OPTIMIZER == 1
  export_train_step("train", loss, SGD{.momentum = 0.9});
#else
  export_train_step("train", loss, Adam{});
#endif
}
#endif
