// The model library (dsl/include/loom/models/resnet.hpp), traced: every depth's
// parameter count for 1000 and 10 classes computed from torchvision's
// definition of the architecture, torchvision's names and shapes, and the stems.
#include <loom/models/resnet.hpp>

#include <doctest/doctest.h>

#include <array>
#include <map>
#include <string>
#include <vector>

using namespace loom;

namespace {

long conv(long in, long out, long k) { return in * out * k * k; } // no bias
long bn(long c) { return 2 * c; }                                  // weight and bias; running stats are buffers

/// torchvision's ResNet, counted from its definition: the stem, four stages
/// (planes 64 << s, the first block of stages 2-4 at stride 2, a 1x1 conv + BN
/// shortcut where the shape changes), fc.
long expected(bool bottleneck, std::array<long, 4> blocks, long classes, bool imagenet) {
  long n = conv(3, 64, imagenet ? 7 : 3) + bn(64), in = 64;
  const long e = bottleneck ? 4 : 1;
  for (int s = 0; s < 4; ++s) {
    long planes = 64l << s;
    for (long b = 0; b < blocks[s]; ++b) {
      long stride = b == 0 && s > 0 ? 2 : 1;
      if (bottleneck)
        n += conv(in, planes, 1) + bn(planes) + conv(planes, planes, 3) + bn(planes) + conv(planes, 4 * planes, 1) +
             bn(4 * planes);
      else
        n += conv(in, planes, 3) + bn(planes) + conv(planes, planes, 3) + bn(planes);
      if (stride != 1 || in != planes * e) n += conv(in, planes * e, 1) + bn(planes * e);
      in = planes * e;
    }
  }
  return n + in * classes + classes;
}

struct Traced {
  long trainable = 0, buffers = 0;
  std::map<std::string, std::vector<int64_t>> shapes;
  std::vector<int64_t> output;
};

template <class Net, long S> Traced trace() {
  auto m = detail::trace("t", [] {
    Net net;
    export_function("f", [&](In<"x", f32, 2, 3, S, S> x) { return out<"y">(net(x)); });
  });
  Traced t;
  for (const auto &p : m.params) {
    long n = 1;
    for (long d : p.type.shape) n *= d;
    (p.name.find("running_") == std::string::npos ? t.trainable : t.buffers) += n;
    t.shapes[p.name] = p.type.shape;
  }
  const auto &f = m.functions.at(0);
  t.output = f.nodes.at(f.outputs.at(0)).type.shape;
  return t;
}

} // namespace

TEST_CASE("ResNet-18/34/50/101/152: parameter counts for 1000 and 10 classes as torchvision's definition gives them") {
  const std::array<long, 4> b18{2, 2, 2, 2}, b34{3, 4, 6, 3}, b50{3, 4, 6, 3}, b101{3, 4, 23, 3}, b152{3, 8, 36, 3};
  auto check = [](const Traced &t, long want, long classes) {
    CHECK(t.trainable == want);
    CHECK(t.output == std::vector<int64_t>{2, classes});
  };
  check(trace<models::ResNet18<1000>, 64>(), expected(false, b18, 1000, true), 1000);
  check(trace<models::ResNet34<1000>, 64>(), expected(false, b34, 1000, true), 1000);
  check(trace<models::ResNet50<1000>, 64>(), expected(true, b50, 1000, true), 1000);
  check(trace<models::ResNet101<1000>, 64>(), expected(true, b101, 1000, true), 1000);
  check(trace<models::ResNet152<1000>, 64>(), expected(true, b152, 1000, true), 1000);
  check(trace<models::ResNet18<10>, 64>(), expected(false, b18, 10, true), 10);
  check(trace<models::ResNet34<10>, 64>(), expected(false, b34, 10, true), 10);
  check(trace<models::ResNet50<10>, 64>(), expected(true, b50, 10, true), 10);
  check(trace<models::ResNet101<10>, 64>(), expected(true, b101, 10, true), 10);
  check(trace<models::ResNet152<10>, 64>(), expected(true, b152, 10, true), 10);
  check(trace<models::ResNet18<10, models::Stem::cifar>, 32>(), expected(false, b18, 10, false), 10);
  // The figures torchvision's models print (sum of p.numel()), as a check on the counting above.
  CHECK(expected(false, b18, 1000, true) == 11689512);
  CHECK(expected(true, b50, 1000, true) == 25557032);
  CHECK(expected(true, b152, 1000, true) == 60192808);
}

TEST_CASE("ResNets carry torchvision's names and shapes; bias-less convolutions have no bias; BN buffers") {
  auto r50 = trace<models::ResNet50<1000>, 64>();
  using S = std::vector<int64_t>;
  CHECK(r50.shapes.at("conv1.weight") == S{64, 3, 7, 7});
  CHECK(r50.shapes.at("bn1.running_var") == S{64});
  CHECK(r50.shapes.at("layer1.0.downsample.0.weight") == S{256, 64, 1, 1}); // 64 -> 256 at stride 1
  CHECK(r50.shapes.at("layer2.0.conv2.weight") == S{128, 128, 3, 3});        // v1.5: the stride on the 3x3
  CHECK(r50.shapes.at("layer4.2.conv3.weight") == S{2048, 512, 1, 1});
  CHECK(r50.shapes.at("layer4.2.bn3.running_mean") == S{2048});
  CHECK(r50.shapes.at("fc.weight") == S{1000, 2048});
  CHECK(r50.shapes.at("fc.bias") == S{1000});
  for (const char *n : {"conv1.bias", "layer1.0.conv1.bias", "layer1.1.downsample.0.weight", "layer4.3.conv1.weight"})
    CHECK_MESSAGE(!r50.shapes.count(n), n);
  long bn_channels = 0; // two running statistics per BN channel
  for (auto &[name, shape] : r50.shapes)
    if (name.find(".running_mean") != std::string::npos) bn_channels += shape[0];
  CHECK(r50.buffers == 2 * bn_channels);
  auto r152 = trace<models::ResNet152<10>, 64>();
  CHECK(r152.shapes.at("layer3.35.bn3.weight") == S{1024});
  CHECK(!r152.shapes.count("layer3.36.conv1.weight"));
  auto cifar = trace<models::ResNet18<10, models::Stem::cifar>, 32>();
  CHECK(cifar.shapes.at("conv1.weight") == S{64, 3, 3, 3});
  CHECK(!cifar.shapes.count("layer1.0.downsample.0.weight")); // BasicBlock 64 -> 64 at stride 1
  CHECK(cifar.shapes.at("layer2.0.downsample.0.weight") == S{128, 64, 1, 1});
}
