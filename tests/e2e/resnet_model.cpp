// torchvision's ResNet-18 (ImageNet stem: 7x7 stride-2 conv, BN, ReLU, 3x3
// stride-2 max pool with padding 1) with 10 classes, forward at batch 2 on
// 64x64 inputs: resnet_test checks it against a plain C++ forward.
#include <loom/models/resnet.hpp>

using namespace loom;

LOOM_GENERATOR(resnet18_imagenet) {
  models::ResNet18<10> net;
  export_function("predict", [&](In<"x", f32, 2, 3, 64, 64> x) { return out<"logits">(net(x)); });
}
