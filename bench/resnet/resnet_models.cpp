// CIFAR ResNets (torchvision's structure, 3x3 stem, 10 classes) for the
// benchmarks: a train step with SGD momentum 0.9 and a forward at batch
// LOOM_RESNET_BATCH. LOOM_RESNET_DEPTH picks 18, 50 or 152.
#include <loom/models/resnet.hpp>

using namespace loom;

#ifndef LOOM_RESNET_DEPTH
#define LOOM_RESNET_DEPTH 18
#endif
#ifndef LOOM_RESNET_BATCH
#define LOOM_RESNET_BATCH 64
#endif

#define LOOM_CAT2(a, b) a##b
#define LOOM_CAT(a, b) LOOM_CAT2(a, b)

using Net = LOOM_CAT(models::ResNet, LOOM_RESNET_DEPTH)<10, models::Stem::cifar>;
constexpr long B = LOOM_RESNET_BATCH;

// LOOM_GENERATOR pastes its argument: expand the name first.
#define RESNET_GENERATOR(NAME) LOOM_GENERATOR(NAME)
RESNET_GENERATOR(LOOM_CAT(resnet, LOOM_RESNET_DEPTH)) {
  Net net;
  export_train_step("train", [&](In<"x", f32, B, 3, 32, 32> x, In<"labels", i64, B> labels) {
    return cross_entropy(net(x), labels);
  }, SGD{.momentum = 0.9});
  export_function("predict", [&](In<"x", f32, B, 3, 32, 32> x) { return out<"logits">(net(x)); });
}
