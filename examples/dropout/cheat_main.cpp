// E1 i: does dropout make a ConvNet rely less on a feature that gives the label
// away? Fashion-MNIST (Debian's dataset-fashion-mnist) by default, CIFAR-10's
// binary batches with --cifar DIR; the label is written as 4 bits into the last
// 4 pixels of the bottom row (every channel).
#include "../common/accuracy.hpp"
#include "../common/args.hpp"
#include "cheat.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>

namespace {

/// Writes the label's 4 bits (most significant first) into the bottom row's last 4 pixels.
void add_cheat(loom::rt::Dataset &d) {
  for (long i = 0; i < d.n; ++i)
    for (long c = 0; c < d.c; ++c) {
      float *img = d.images.data() + i * d.image_size() + c * d.h * d.w;
      for (int k = 0; k < 4; ++k) img[(d.h - 1) * d.w + d.w - 4 + k] = (d.labels[i] >> (3 - k)) & 1 ? 1.0f : 0.0f;
    }
}

/// The model's exports for one image shape.
template <long C, long S> struct Exports {
  cheat::Model &m;
  float train(const float *x, const int64_t *y, loom::rt::Array<float> &p) {
    auto xv = loom::rt::View<const float, 64, C, S, S>(x);
    auto yv = loom::rt::View<const int64_t, 64>(y);
    if constexpr (C == 1) return m.train(xv, yv, p, 3e-3f);
    else return m.cifar_train(xv, yv, p, 3e-3f);
  }
  void predict(const float *x, float *logp) {
    auto xv = loom::rt::View<const float, 100, C, S, S>(x);
    auto out = loom::rt::View<float, 100, 10>(logp);
    if constexpr (C == 1) m.predict(xv, out);
    else m.cifar_predict(xv, out);
  }
};

template <class E> double accuracy(E &net, const loom::rt::Dataset &d) {
  return examples::accuracy<100, 10>(d, [&](const float *x, float *logp) { net.predict(x, logp); });
}

} // namespace

int main(int argc, char **argv) {
  auto args = examples::parse_args(
      argc, argv, "dropout_cheat", "E1 i: does dropout make a ConvNet rely less on a feature that gives the label away?",
      "out/dropout", nullptr,
      {{"data", "/usr/share/datasets/fashion-mnist", "Fashion-MNIST's directory"},
       {"cifar", "", "CIFAR-10's binary batches' directory (instead of Fashion-MNIST)"},
       {"images", "", "training images to use (default: all)"},
       {"epochs", "10", "passes over the training images"}});
  const std::string out = args.out, data_dir = args["data"], cifar_dir = args["cifar"];
  // The homework's size (every training image, 10 epochs) is the default:
  // about 4 min per p here. --images/--epochs make a smaller run (12,000 and 4
  // finish in 20 s per p, too little for the network to learn the cheat).
  auto positive = [](const std::string &s) -> int { // -1 unless all of s is a number in 1..INT_MAX
    char *end = nullptr;
    long v = std::strtol(s.c_str(), &end, 10);
    return !s.empty() && *end == '\0' && v > 0 && v <= std::numeric_limits<int>::max() ? int(v) : -1;
  };
  const int images = args["images"].empty() ? 0 : positive(args["images"]); // 0: all
  const int epochs = positive(args["epochs"]);
  if (images < 0 || epochs < 0) {
    std::fprintf(stderr, "dropout_cheat: --images and --epochs take positive numbers, got '%s' and '%s'\n",
                 args["images"].c_str(), args["epochs"].c_str());
    return 2;
  }
  loom::rt::Dataset train, test;
  try {
    if (cifar_dir.empty()) {
      train = loom::rt::load_fashion_mnist("train", data_dir);
      test = loom::rt::load_fashion_mnist("test", data_dir);
    } else {
      std::vector<std::string> batches;
      for (int k = 1; k <= 5; ++k) batches.push_back(cifar_dir + "/data_batch_" + std::to_string(k) + ".bin");
      train = loom::rt::read_cifar10(batches);
      test = loom::rt::read_cifar10({cifar_dir + "/test_batch.bin"});
    }
  } catch (const loom::rt::Error &e) {
    std::fprintf(stderr, "dropout_cheat: %s\n(install Debian's dataset-fashion-mnist, or give --data DIR or --cifar DIR)\n",
                 e.what());
    return 1;
  }
  const char *dataset = cifar_dir.empty() ? "Fashion-MNIST" : "CIFAR-10";
  const long train_n = images == 0 ? train.n : std::min<long>(images, train.n);
  const bool homework = train_n == train.n && epochs == 10;
  train = train.head(train_n);
  add_cheat(train);
  loom::rt::Dataset test_cheat = test;
  add_cheat(test_cheat);

  std::ostringstream md;
  char b[512];
  auto line = [&](const std::string &s) { std::printf("%s\n", s.c_str()), std::fflush(stdout), md << s << "\n"; };
  line(std::string("# E1 i: dropout and a cheating feature (") + dataset + ")");
  line("");
  std::snprintf(b, sizeof b, "Training on %ld images with the label in the bottom row's last 4 pixels, %d epochs%s;", train_n,
                epochs, homework ? " (the homework's size, the default)" : " (--images/--epochs; the default is the homework's size)");
  line(b);
  line("testing on the test images with and without that cheat.");
  line("");
  line("| dropout p | test accuracy with the cheat | clean test accuracy | training time |");
  line("|---|---|---|---|");
  auto run = [&]<long C, long S>() {
    for (float p : {0.0f, 0.75f}) {
      cheat::Model m(3);
      Exports<C, S> net{m};
      loom::rt::Batcher batches(train, 64, 17);
      loom::rt::Array<float> pv;
      pv[0] = p;
      std::vector<float> x(64 * C * S * S);
      std::vector<int64_t> y(64);
      loom::rt::Progress progress("ConvNet p = " + std::to_string(p).substr(0, 4), epochs * batches.batches_per_epoch(), 64);
      auto t0 = std::chrono::steady_clock::now();
      for (int e = 0; e < epochs; ++e)
        for (long k = 0; k < batches.batches_per_epoch(); ++k) {
          batches.fill(e, k, x.data(), y.data());
          progress.step(e + 1, epochs, net.train(x.data(), y.data(), pv)); // the step outputs its loss only
        }
      progress.done();
      double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      std::snprintf(b, sizeof b, "| %.2f | %.1f%% | %.1f%% | %.0f s |", p, 100 * accuracy(net, test_cheat), 100 * accuracy(net, test), secs);
      line(b);
    }
  };
  if (cifar_dir.empty()) run.template operator()<1, 28>();
  else run.template operator()<3, 32>();
  line("");
  line("Reference (CIFAR-10, the homework): p = 0 gives 90% with the cheat and 10% clean; p = 0.75 gives 90% and 22%.");
  std::ofstream(out + "/cheat.md") << md.str();
  return 0;
}
