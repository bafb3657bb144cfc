// E4's data generator, training and evaluation on the compiled models
// (edges.h), shared by the example's main and its test.
#pragma once

#include "edges.h"

#include <array>
#include <cmath>
#include <functional>
#include <numeric>
#include <string>
#include <vector>

namespace e4 {

constexpr int S = 28;
/// Labels: horizontal, vertical, none (3 classes); horizontal, vertical,
/// diagonal, both, none (5 classes).
inline std::vector<std::string> class_names(int classes) {
  if (classes == 3) return {"horizontal", "vertical", "none"};
  return {"horizontal", "vertical", "diagonal", "both", "none"};
}

struct GenOptions {
  int classes = 3;
  int max_width = 4;                      // band widths 1..max_width
  enum Region { anywhere, first_half, second_half } region = anywhere;
  const std::vector<int> *permutation = nullptr; // a fixed pixel permutation (Q5)
};

/// Uniform draws from Philox, one stream per generator.
struct Rng {
  std::array<uint32_t, 2> key;
  uint64_t i = 0;
  explicit Rng(uint64_t seed) : key(loom::rt::Philox4x32::key(seed)) {}
  double uniform(double lo = 0, double hi = 1) { return lo + (hi - lo) * loom::rt::Philox4x32::uniform(key, i++); }
  int integer(int lo, int hi) { return lo + int(uniform() * (hi - lo + 1)) % (hi - lo + 1); } // [lo, hi]
};

/// `per_class` images of each class: background U(0, 0.2); an edge of intensity
/// U(0.25, 1) as a band of whole rows or columns, width 1..max_width, anywhere
/// (or in one half of the image); no noise. Classes interleaved.
inline loom::rt::Dataset generate(int per_class, uint64_t seed, const GenOptions &o = {}) {
  Rng r(seed);
  loom::rt::Dataset d;
  d.n = long(per_class) * o.classes, d.c = 1, d.h = S, d.w = S;
  d.images.assign(d.n * S * S, 0);
  d.labels.resize(d.n);
  auto band = [&](float *img, bool rows, float v) {
    int width = r.integer(1, o.max_width);
    int lo = o.region == GenOptions::second_half ? S / 2 : 0;
    int hi = (o.region == GenOptions::first_half ? S / 2 : S) - width;
    int at = r.integer(lo, hi);
    for (int k = at; k < at + width; ++k)
      for (int t = 0; t < S; ++t) img[rows ? k * S + t : t * S + k] = v;
  };
  for (long i = 0; i < d.n; ++i) {
    int label = int(i % o.classes);
    float *img = d.images.data() + i * S * S;
    float bg = float(r.uniform(0, 0.2)), v = float(r.uniform(0.25, 1));
    std::fill(img, img + S * S, bg);
    if (label == 0) band(img, true, v);
    else if (label == 1) band(img, false, v);
    else if (o.classes == 5 && label == 2) { // a thin band through the centre at 30, 45, 120 or 135 degrees
      const double angles[] = {30, 45, 120, 135};
      double th = angles[r.integer(0, 3)] * M_PI / 180, half = r.integer(1, 2) / 2.0;
      for (int y = 0; y < S; ++y)
        for (int x = 0; x < S; ++x)
          if (std::abs((x - 13.5) * std::sin(th) - (y - 13.5) * std::cos(th)) < half) img[y * S + x] = v;
    } else if (o.classes == 5 && label == 3) { // a horizontal and a vertical band crossing
      band(img, true, v);
      band(img, false, v);
    }
    d.labels[i] = label;
    if (o.permutation) {
      std::vector<float> copy(img, img + S * S);
      for (int p = 0; p < S * S; ++p) img[p] = copy[(*o.permutation)[p]];
    }
  }
  return d;
}

inline std::vector<int> random_permutation(uint64_t seed) {
  std::vector<int> p(S * S);
  std::iota(p.begin(), p.end(), 0);
  Rng r(seed);
  for (int i = S * S - 1; i > 0; --i) std::swap(p[i], p[r.integer(0, i)]);
  return p;
}

/// One network's entry points, whatever its exports are called.
struct Net {
  std::string name;
  long params = 0;
  std::function<std::pair<float, float>(const float *, const int64_t *, float)> step10, step30; // loss, accuracy
  std::function<void(const float *, float *)> predict; // 50 images -> 50 x classes logits
  int classes = 3;
};

#define E4_NET(NAME, CLASSES)                                                                                        \
  Net {                                                                                                              \
    #NAME, 0,                                                                                                        \
        [&m](const float *x, const int64_t *y, float lr) {                                                           \
          auto r = m.NAME##_train10(loom::rt::View<const float, 10, 1, 28, 28>(x),                                  \
                                    loom::rt::View<const int64_t, 10>(y), lr);                                       \
          return std::pair{r.loss[0], r.accuracy[0]};                                                                \
        },                                                                                                           \
        [&m](const float *x, const int64_t *y, float lr) {                                                           \
          auto r = m.NAME##_train30(loom::rt::View<const float, 30, 1, 28, 28>(x),                                  \
                                    loom::rt::View<const int64_t, 30>(y), lr);                                       \
          return std::pair{r.loss[0], r.accuracy[0]};                                                                \
        },                                                                                                           \
        [&m](const float *x, float *logits) {                                                                        \
          m.NAME##_predict(loom::rt::View<const float, 50, 1, 28, 28>(x), loom::rt::View<float, 50, CLASSES>(logits)); \
        },                                                                                                           \
        CLASSES                                                                                                      \
  }

/// Parameters of the network `prefix` (those whose name starts with "prefix.").
inline long count_params(edges::Model &m, const std::string &prefix) {
  long n = 0;
  for (std::size_t i = 0; i < m.params().size(); ++i) {
    std::string name = m.params().spec(i).name;
    if (name.rfind(prefix + ".", 0) == 0) n += m.params().numel(i);
  }
  return n;
}

inline Net net(edges::Model &m, const std::string &name) {
  Net n = name == "cnn"       ? E4_NET(cnn, 3)
          : name == "mlp"     ? E4_NET(mlp, 3)
          : name == "edge"    ? E4_NET(edge, 3)
          : name == "big"     ? E4_NET(big, 3)
          : name == "cnn5max" ? E4_NET(cnn5max, 5)
                              : E4_NET(cnn5avg, 5);
  n.name = name;
  n.params = count_params(m, name);
  return n;
}
#undef E4_NET

/// Predicted classes for a dataset (batches of 50, the last one padded).
inline std::vector<int> predict(const Net &net, const loom::rt::Dataset &d) {
  std::vector<int> out;
  std::vector<float> x(50 * S * S), logits(50 * net.classes);
  for (long start = 0; start < d.n; start += 50) {
    long count = std::min(50L, d.n - start);
    std::fill(x.begin(), x.end(), 0.0f);
    std::copy(d.image(start), d.image(start) + count * S * S, x.begin());
    net.predict(x.data(), logits.data());
    for (long k = 0; k < count; ++k)
      out.push_back(int(std::max_element(logits.begin() + k * net.classes, logits.begin() + (k + 1) * net.classes) -
                        (logits.begin() + k * net.classes)));
  }
  return out;
}

inline double accuracy(const Net &net, const loom::rt::Dataset &d) {
  auto p = predict(net, d);
  long right = 0;
  for (long i = 0; i < d.n; ++i) right += p[i] == d.labels[i];
  return double(right) / d.n;
}

/// confusion[true][predicted]
inline std::vector<std::vector<int>> confusion(const Net &net, const loom::rt::Dataset &d) {
  std::vector<std::vector<int>> c(net.classes, std::vector<int>(net.classes, 0));
  auto p = predict(net, d);
  for (long i = 0; i < d.n; ++i) c[d.labels[i]][p[i]]++;
  return c;
}

/// SGD with momentum 0.9 and lr 1e-2 (the homework's), batches of 10 (or 30:
/// the whole set in Q1), reshuffled every epoch from `seed`.
inline void train(const Net &net, const loom::rt::Dataset &d, int epochs, int batch, uint64_t seed, bool progress = false,
                  float lr = 1e-2f) {
  loom::rt::Batcher b(d, batch, seed);
  std::vector<float> x(batch * S * S);
  std::vector<int64_t> y(batch);
  loom::rt::Progress p(net.name + " (" + std::to_string(d.n) + " images)", long(epochs) * b.batches_per_epoch(), batch);
  for (int e = 0; e < epochs; ++e)
    for (long k = 0; k < b.batches_per_epoch(); ++k) {
      b.fill(e, k, x.data(), y.data());
      auto [loss, acc] = batch == 10 ? net.step10(x.data(), y.data(), lr) : net.step30(x.data(), y.data(), lr);
      if (progress) p.step(e + 1, epochs, loss, acc);
    }
  if (progress) p.done();
}

/// Q4's study of where the CNN's errors on shifted edges go: `runs` CNNs (seeds
/// 0..runs-1) trained `epochs` on edges in the first half of the image and
/// validated on edges in the second half; errors on edge images summed.
struct ShiftErrors {
  int to_none = 0, to_other = 0; // called "none", called the other orientation
};
inline ShiftErrors shift_errors(int epochs, int runs, bool progress = false) {
  ShiftErrors e;
  for (int s = 0; s < runs; ++s) {
    GenOptions first{.region = GenOptions::first_half}, second{.region = GenOptions::second_half};
    auto data = generate(100, 400 + 10 * s, first), shifted = generate(50, 401 + 10 * s, second);
    edges::Model m(44 + s);
    auto cnn = net(m, "cnn");
    train(cnn, data, epochs, 10, 10 + s, progress);
    auto c = confusion(cnn, shifted);
    e.to_none += c[0][2] + c[1][2], e.to_other += c[0][1] + c[1][0];
  }
  return e;
}

} // namespace e4
