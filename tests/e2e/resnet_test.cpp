// The model library's CIFAR ResNet-18 (dsl/include/loom/models/resnet.hpp, as
// bench/ builds it): torchvision's parameter names and count, no bias on the
// convolutions, and a train step that runs and learns on a repeated batch.
#include "resnet18.h"
#include "resnet18_imagenet.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <span>
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

namespace {
/// A plain NCHW forward of torchvision's ResNet-18 (eval mode), from the
/// model's own parameters by name: the reference for loom's compiled one.
struct Reference {
  loom::rt::ParamStore &p;
  struct T {
    long c, h, w;
    std::vector<double> v; // one image
    double &at(long ci, long i, long j) { return v[(ci * h + i) * w + j]; }
  };
  std::span<float> w(const std::string &n) { return p.values<float>(n); }
  T conv(T &x, const std::string &n, long out, long k, long s) {
    auto wt = w(n + ".weight");
    long pad = k / 2, oh = (x.h + 2 * pad - k) / s + 1, ow = (x.w + 2 * pad - k) / s + 1;
    T y{out, oh, ow, std::vector<double>(out * oh * ow)};
    for (long o = 0; o < out; ++o)
      for (long c = 0; c < x.c; ++c)
        for (long a = 0; a < k; ++a)
          for (long b = 0; b < k; ++b) {
            double wv = wt[((o * x.c + c) * k + a) * k + b];
            for (long i = 0; i < oh; ++i) {
              long h = i * s + a - pad;
              if (h < 0 || h >= x.h) continue;
              for (long j = 0; j < ow; ++j) {
                long ww = j * s + b - pad;
                if (ww >= 0 && ww < x.w) y.at(o, i, j) += wv * x.at(c, h, ww);
              }
            }
          }
    return y;
  }
  T bn(T x, const std::string &n, bool relu) {
    auto g = w(n + ".weight"), b = w(n + ".bias"), m = w(n + ".running_mean"), v = w(n + ".running_var");
    for (long c = 0; c < x.c; ++c)
      for (long i = 0; i < x.h * x.w; ++i) {
        double &e = x.v[c * x.h * x.w + i];
        e = (e - m[c]) / std::sqrt(double(v[c]) + 1e-5) * g[c] + b[c];
        if (relu) e = std::max(e, 0.0);
      }
    return x;
  }
  T block(T &x, const std::string &n, long planes, long stride) {
    T y = bn(conv(x, n + ".conv1", planes, 3, stride), n + ".bn1", true);
    y = bn(conv(y, n + ".conv2", planes, 3, 1), n + ".bn2", false);
    T sc = stride != 1 || x.c != planes ? bn(conv(x, n + ".downsample.0", planes, 1, stride), n + ".downsample.1", false)
                                         : x;
    for (std::size_t i = 0; i < y.v.size(); ++i) y.v[i] = std::max(y.v[i] + sc.v[i], 0.0);
    return y;
  }
  std::vector<double> operator()(T x) {
    T y = bn(conv(x, "conv1", 64, 7, 2), "bn1", true);
    T m{64, (y.h - 1) / 2 + 1, (y.w - 1) / 2 + 1, {}}; // 3x3 stride 2 padding 1
    m.v.assign(64 * m.h * m.w, -1e300);
    for (long c = 0; c < 64; ++c)
      for (long i = 0; i < m.h; ++i)
        for (long j = 0; j < m.w; ++j)
          for (long a = 0; a < 3; ++a)
            for (long b = 0; b < 3; ++b) {
              long h = 2 * i + a - 1, ww = 2 * j + b - 1;
              if (h >= 0 && h < y.h && ww >= 0 && ww < y.w) m.at(c, i, j) = std::max(m.at(c, i, j), y.at(c, h, ww));
            }
    y = m;
    long planes = 64;
    for (int s = 1; s <= 4; ++s, planes *= 2) {
      std::string n = "layer" + std::to_string(s);
      y = block(y, n + ".0", planes, s == 1 ? 1 : 2);
      y = block(y, n + ".1", planes, 1);
    }
    auto fw = w("fc.weight"), fb = w("fc.bias");
    std::vector<double> logits(10);
    for (long k = 0; k < 10; ++k) {
      double acc = fb[k];
      for (long c = 0; c < y.c; ++c) {
        double mean = 0;
        for (long i = 0; i < y.h * y.w; ++i) mean += y.v[c * y.h * y.w + i];
        acc += fw[k * y.c + c] * mean / double(y.h * y.w);
      }
      logits[k] = acc;
    }
    return logits;
  }
};
} // namespace

TEST_CASE("torchvision's ResNet-18 (ImageNet stem, max pool with padding) forward against a plain C++ one") {
  resnet18_imagenet::Model model(11, loom::rt::Device::cpu);
  auto &params = model.params();
  // Batch norm away from the identity, so every parameter matters.
  for (std::size_t i = 0; i < params.size(); ++i) {
    std::string n = params.spec(i).name;
    auto v = params.values<float>(n);
    for (std::size_t k = 0; k < v.size(); ++k) {
      float u = float((k * 7919 + i * 104729) % 1000) / 1000.0f; // [0, 1)
      if (n.find("running_var") != std::string::npos || (n.find("bn") != std::string::npos && n.ends_with(".weight")) ||
          n.find("downsample.1.weight") != std::string::npos)
        v[k] = 0.5f + u;
      else if (n.find("running_mean") != std::string::npos || n.find("downsample.1.") != std::string::npos ||
               n.find("bn") != std::string::npos)
        v[k] = 0.2f * (u - 0.5f);
    }
  }
  loom::rt::Array<float, 2, 3, 64, 64> x;
  for (long i = 0; i < x.numel; ++i) x[i] = float((i * 6007) % 2000) / 1000.0f - 1.0f;
  auto logits = model.predict(x);
  Reference ref{params};
  double worst = 0, scale = 0;
  for (long n = 0; n < 2; ++n) {
    Reference::T img{3, 64, 64, std::vector<double>(x.data() + n * 3 * 64 * 64, x.data() + (n + 1) * 3 * 64 * 64)};
    auto want = ref(img);
    for (long k = 0; k < 10; ++k) {
      worst = std::max(worst, std::fabs(want[k] - logits(n, k)));
      scale = std::max(scale, std::fabs(want[k]));
    }
  }
  MESSAGE("ResNet-18 logits: max abs error " << worst << " (largest logit " << scale << ")");
  CHECK(scale > 0.1);
  CHECK(worst < 1e-4 * (1 + scale));
}

namespace {
std::vector<float> read_floats(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE_MESSAGE(in, "cannot open " << path);
  std::vector<float> v;
  float x;
  while (in.read(reinterpret_cast<char *>(&x), sizeof x)) v.push_back(x);
  return v;
}
} // namespace

// Run by tests/check_torch_state_dict.sh, which writes the files with PyTorch first.
TEST_CASE("a PyTorch state_dict of torchvision's ResNet-18 loads by name and gives PyTorch's logits" *
          doctest::skip(std::getenv("LOOM_TORCH_DIR") == nullptr)) {
  const std::string dir = std::getenv("LOOM_TORCH_DIR");
  resnet18_imagenet::Model model(5);
  model.load_weights(dir + "/resnet18.safetensors"); // num_batches_tracked in the file is skipped
  std::vector<float> x = read_floats(dir + "/x.bin"), want = read_floats(dir + "/logits.bin");
  REQUIRE(x.size() == 2 * 3 * 64 * 64);
  REQUIRE(want.size() == 2 * 10);
  auto got = model.predict(x);
  double scale = 0, worst = 0;
  for (float v : want) scale = std::max(scale, double(std::abs(v)));
  for (std::size_t i = 0; i < want.size(); ++i) worst = std::max(worst, double(std::abs(got[long(i)] - want[i])));
  MESSAGE("largest |logit| " << scale << ", largest difference " << worst);
  CHECK(worst <= 1e-4 * std::max(1.0, scale));
}
