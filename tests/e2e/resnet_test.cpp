// The model library's CIFAR ResNet-18 (dsl/include/loom/models/resnet.hpp, as
// bench/ builds it): torchvision's parameter names and count, no bias on the
// convolutions, and a train step that runs and learns on a repeated batch.
#include "resnet18.h"

#include <doctest/doctest.h>

#include <cmath>
#include <set>
#include <string>
#include <vector>

namespace {
long conv(long in, long out, long k) { return in * out * k * k; }
long bn(long c) { return 2 * c; } // weight and bias (the running statistics are buffers)
long basic(long in, long planes, long stride) {
  long n = conv(in, planes, 3) + bn(planes) + conv(planes, planes, 3) + bn(planes);
  if (stride != 1 || in != planes) n += conv(in, planes, 1) + bn(planes);
  return n;
}
} // namespace

TEST_CASE("ResNet-18 (CIFAR stem): torchvision's names and parameter count") {
  long want = conv(3, 64, 3) + bn(64), in = 64;
  for (long planes : {64, 128, 256, 512}) {
    want += basic(in, planes, planes == 64 ? 1 : 2) + basic(planes, planes, 1);
    in = planes;
  }
  want += 512 * 10 + 10;
  long trainable = 0;
  std::set<std::string> names;
  for (std::size_t i = 0; i < resnet18::param_count; ++i) {
    const auto &p = resnet18::param_specs[i];
    names.insert(p.name);
    long n = 1;
    for (long d : p.shape) n *= d;
    if (std::string(p.name).find("running_") == std::string::npos) trainable += n;
  }
  CHECK(want == 11173962); // the figure PyTorch prints for this network
  CHECK(trainable == want);
  for (const char *n : {"conv1.weight", "bn1.running_mean", "layer1.0.conv1.weight", "layer1.1.bn2.running_var",
                        "layer2.0.downsample.0.weight", "layer2.0.downsample.1.bias", "layer4.1.conv2.weight",
                        "fc.weight", "fc.bias"})
    CHECK_MESSAGE(names.count(n), n);
  for (const char *n : {"conv1.bias", "layer1.0.downsample.0.weight", "layer3.1.conv1.bias"})
    CHECK_MESSAGE(!names.count(n), n);
}

TEST_CASE("ResNet-18 train step: the loss falls on a repeated batch; the arena is planned") {
  resnet18::Model model(3, loom::rt::Device::cpu);
  loom::rt::Array<float, 64, 3, 32, 32> x;
  loom::rt::Array<int64_t, 64> y;
  for (long i = 0; i < x.numel; ++i) x[i] = float((i * 7919) % 1000) / 1000.0f - 0.5f;
  for (long i = 0; i < 64; ++i) y[i] = i % 10;
  float first = model.train(x, y, 0.05f), last = first;
  for (int s = 0; s < 4; ++s) last = model.train(x, y, 0.05f);
  MESSAGE("loss " << first << " -> " << last);
  CHECK(last < first);
  // Temporaries of a batch-64 ResNet-18 step: at least the saved activations
  // of one stage, far less than every activation of the step unshared.
  CHECK(resnet18::Model::train_arena_bytes() > (64l * 64 * 32 * 32 * 4));
  CHECK(resnet18::Model::predict_arena_bytes() < resnet18::Model::train_arena_bytes());
}

TEST_CASE("ResNet-18 train step on 1, 2 and 3 threads: bit-identical for a given count, float noise across counts") {
  loom::rt::Array<float, 64, 3, 32, 32> x;
  loom::rt::Array<int64_t, 64> y;
  for (long i = 0; i < x.numel; ++i) x[i] = float((i * 7919) % 1000) / 1000.0f - 0.5f;
  for (long i = 0; i < 64; ++i) y[i] = i % 10;
  // Every parameter and buffer after one step from the same start.
  auto step = [&](int threads) {
    resnet18::Model model(5, loom::rt::Device::cpu);
    model.set_num_threads(threads);
    float loss = model.train(x, y, 0.05f);
    std::vector<float> all{loss};
    for (std::size_t i = 0; i < model.params().size(); ++i) {
      const float *p = model.params().data<float>(i);
      all.insert(all.end(), p, p + model.params().numel(i));
    }
    return all;
  };
  auto one = step(1);
  for (int t : {2, 3}) {
    INFO("threads ", t);
    auto a = step(t);
    CHECK(a == step(t));
    REQUIRE(a.size() == one.size());
    double worst = 0;
    for (std::size_t i = 0; i < a.size(); ++i)
      worst = std::max(worst, double(std::fabs(a[i] - one[i])) / (1.0 + std::fabs(one[i])));
    CHECK(worst < 1e-4); // only the input gradients' col2im shares sum in another order
  }
}
