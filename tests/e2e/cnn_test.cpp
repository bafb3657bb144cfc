// Pooling and batch norm: forward against plain C++, gradients against finite
// differences, PyTorch's conventions (first max, running statistics); conv2d's
// gradients through the micro-kernels against a double-precision reference.
#include "cnn.h"
#include "fd.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <vector>

namespace {

using X = loom::rt::Array<float, 2, 4, 9, 9>;
using XW = loom::rt::Array<float, 2, 32, 9, 9>;
// Built on first use: with LOOM_DEVICE=cuda and no GPU, main() skips before any model exists.
cnn::Model &model() {
  static cnn::Model m(5);
  return m;
}

} // namespace

TEST_CASE("conv2d gradients through the CPU micro-kernels against a double-precision reference") {
  auto x = fd::values<XW>(-1, 1);
  {
    // 2x64x9x9 outputs summed in float32 put central differences' noise near
    // 1e-2: check against the gradient computed in double instead.
    constexpr int O = 64, Ci = 32;
    auto w = fd::values<loom::rt::Array<float, O, Ci, 3, 3>>(-1, 1, 1);
    auto c = fd::values<loom::rt::Array<float, 2, O, 9, 9>>(-1, 1, 3);
    auto r = model().g_conv_wide(x, w, c);
    auto xin = [&](int n, int ch, int i, int j) -> double { return i < 0 || j < 0 || i >= 9 || j >= 9 ? 0 : x(n, ch, i, j); };
    std::vector<double> dx(x.numel), dw(w.numel);
    for (int n = 0; n < 2; ++n)
      for (int o = 0; o < O; ++o)
        for (int i = 0; i < 9; ++i)
          for (int j = 0; j < 9; ++j) {
            double z = 0;
            for (int ch = 0; ch < Ci; ++ch)
              for (int kh = 0; kh < 3; ++kh)
                for (int kw = 0; kw < 3; ++kw) z += xin(n, ch, i + kh - 1, j + kw - 1) * w(o, ch, kh, kw);
            double g = c(n, o, i, j) * (1 - std::tanh(z) * std::tanh(z));
            for (int ch = 0; ch < Ci; ++ch)
              for (int kh = 0; kh < 3; ++kh)
                for (int kw = 0; kw < 3; ++kw) {
                  int p = i + kh - 1, q = j + kw - 1;
                  dw[((o * Ci + ch) * 3 + kh) * 3 + kw] += g * xin(n, ch, p, q);
                  if (p >= 0 && q >= 0 && p < 9 && q < 9) dx[((n * Ci + ch) * 9 + p) * 9 + q] += g * w(o, ch, kh, kw);
                }
          }
    double ex = 0, ew = 0;
    for (long i = 0; i < x.numel; ++i) ex = std::max(ex, std::abs(dx[i] - r.grad_x[i]));
    for (long i = 0; i < w.numel; ++i) ew = std::max(ew, std::abs(dw[i] - r.grad_w[i]));
    MESSAGE("wide conv + tanh: max abs error dx " << ex << ", dw " << ew);
    CHECK(ex < 1e-4);
    CHECK(ew < 1e-4);
  }
}

TEST_CASE("pooling") {
  auto x = fd::values<X>(-1, 1);
  auto r = model().pools(x);
  double err = 0;
  for (int n = 0; n < 2; ++n)
    for (int c = 0; c < 4; ++c) {
      double total = 0;
      for (int i = 0; i < 9; ++i)
        for (int j = 0; j < 9; ++j) total += x(n, c, i, j);
      err = std::max(err, std::abs(total / 81 - r.global(n, c)));
      for (int i = 0; i < 4; ++i) // max 2x2 stride 2: the last row and column are dropped (floor mode)
        for (int j = 0; j < 4; ++j) {
          double m = -1e30;
          for (int a = 0; a < 2; ++a)
            for (int b = 0; b < 2; ++b) m = std::max(m, double(x(n, c, 2 * i + a, 2 * j + b)));
          err = std::max(err, std::abs(m - r.max(n, c, i, j)));
        }
      for (int i = 0; i < 3; ++i)
        for (int j = 0; j < 3; ++j) {
          double s = 0;
          for (int a = 0; a < 3; ++a)
            for (int b = 0; b < 3; ++b) s += x(n, c, 3 * i + a, 3 * j + b);
          err = std::max(err, std::abs(s / 9 - r.avg(n, c, i, j)));
          err = std::max(err, std::abs(double(r.adaptive(n, c, i, j)) - r.avg(n, c, i, j)));
        }
    }
  // Overlapping windows as PyTorch's MaxPool2d(3, 2, padding=1) and MaxPool2d(2, 1).
  auto pooled = [&](int n, int c, int i, int j, int k, int s, int p) {
    double m = -1e30;
    for (int a = 0; a < k; ++a)
      for (int b = 0; b < k; ++b) {
        int h = s * i + a - p, w = s * j + b - p;
        if (h >= 0 && h < 9 && w >= 0 && w < 9) m = std::max(m, double(x(n, c, h, w)));
      }
    return m;
  };
  for (int n = 0; n < 2; ++n)
    for (int c = 0; c < 4; ++c) {
      for (int i = 0; i < 5; ++i)
        for (int j = 0; j < 5; ++j) err = std::max(err, std::abs(pooled(n, c, i, j, 3, 2, 1) - r.max_s2p1(n, c, i, j)));
      for (int i = 0; i < 8; ++i)
        for (int j = 0; j < 8; ++j) err = std::max(err, std::abs(pooled(n, c, i, j, 2, 1, 0) - r.max_s1(n, c, i, j)));
    }
  MESSAGE("pools: max abs error " << err);
  CHECK(err < 1e-5);
}

TEST_CASE("pooling gradients; max pooling sends each gradient to the window's first maximum") {
  auto x = fd::values<X>(-1, 1);
  auto c4 = fd::values<loom::rt::Array<float, 2, 4, 4, 4>>(-1, 1, 1);
  auto c3 = fd::values<loom::rt::Array<float, 2, 4, 3, 3>>(-1, 1, 2);
  auto c2 = fd::values<loom::rt::Array<float, 2, 4>>(-1, 1, 3);
  fd::check("max_pool2d", x, model().g_max_pool(x, c4).grad_x, [&] { return model().g_max_pool(x, c4).loss[0]; });
  fd::check("avg_pool2d", x, model().g_avg_pool(x, c3).grad_x, [&] { return model().g_avg_pool(x, c3).loss[0]; });
  fd::check("global_avg_pool", x, model().g_global(x, c2).grad_x, [&] { return model().g_global(x, c2).loss[0]; });

  X ties; // every window all equal: the gradient goes to its top-left element only
  for (long i = 0; i < ties.numel; ++i) ties[i] = 1.0f;
  auto g = model().g_max_pool(ties, c4).grad_x;
  for (int i = 0; i < 9; ++i)
    for (int j = 0; j < 9; ++j) {
      bool first = i % 2 == 0 && j % 2 == 0 && i < 8 && j < 8;
      CHECK(g(1, 2, i, j) == doctest::Approx(first ? c4(1, 2, i / 2, j / 2) : 0.0));
    }
  // 3x3 windows at stride 2 over a 1-padded input: overlapping windows add up
  // at each one's first maximum, and the padding is never one.
  auto c5 = fd::values<loom::rt::Array<float, 2, 4, 5, 5>>(-1, 1, 4);
  fd::check("max_pool2d<3, 2, 1>", x, model().g_max_pool_s2p1(x, c5).grad_x,
            [&] { return model().g_max_pool_s2p1(x, c5).loss[0]; });
  for (const X *input : {&x, &ties}) {
    auto got = model().g_max_pool_s2p1(*input, c5).grad_x;
    std::vector<double> want(X::numel, 0.0);
    for (int n = 0; n < 2; ++n)
      for (int c = 0; c < 4; ++c)
        for (int i = 0; i < 5; ++i)
          for (int j = 0; j < 5; ++j) {
            int at = -1;
            for (int a = 0; a < 3; ++a)
              for (int b = 0; b < 3; ++b) {
                int h = 2 * i + a - 1, w = 2 * j + b - 1;
                if (h < 0 || h >= 9 || w < 0 || w >= 9) continue;
                int k = ((n * 4 + c) * 9 + h) * 9 + w;
                if (at < 0 || (*input)[k] > (*input)[at]) at = k;
              }
            want[at] += c5(n, c, i, j);
          }
    for (long k = 0; k < X::numel; ++k) CHECK(got[k] == doctest::Approx(want[k]).epsilon(1e-5));
  }
  auto a = model().g_avg_pool(ties, c3).grad_x; // a quarter... a ninth of each window's gradient
  CHECK(a(0, 1, 4, 5) == doctest::Approx(c3(0, 1, 1, 1) / 9));
}

TEST_CASE("adaptive average pooling with windows that do not divide the input, as PyTorch") {
  auto x = fd::values<X>(-1, 1);
  auto c = fd::values<loom::rt::Array<float, 2, 4, 4, 4>>(-1, 1, 1);
  auto r = model().g_adaptive(x, c);
  // The loss is sum(pool(x) * c); rebuild it from PyTorch's window rule.
  double want = 0;
  for (int n = 0; n < 2; ++n)
    for (int ch = 0; ch < 4; ++ch)
      for (int i = 0; i < 4; ++i)
        for (int j = 0; j < 4; ++j) {
          int r0 = i * 9 / 4, r1 = ((i + 1) * 9 + 3) / 4, c0 = j * 9 / 4, c1 = ((j + 1) * 9 + 3) / 4;
          double s = 0;
          for (int a = r0; a < r1; ++a)
            for (int b = c0; b < c1; ++b) s += x(n, ch, a, b);
          want += s / ((r1 - r0) * (c1 - c0)) * c(n, ch, i, j);
        }
  CHECK(r.loss[0] == doctest::Approx(want).epsilon(1e-5));
  fd::check("adaptive_avg_pool2d 9 -> 4", x, r.grad_x, [&] { return model().g_adaptive(x, c).loss[0]; });
}

TEST_CASE("batch norm: gradient through the batch statistics, running statistics as PyTorch") {
  auto x = fd::values<X>(-2, 2);
  auto c = fd::values<X>(-1, 1, 1);
  auto r = model().g_batch_norm(x, c);
  fd::check("batch_norm dx", x, r.grad_x, [&] { return model().g_batch_norm(x, c).loss[0]; }, 5e-3);

  cnn::Model m(1);
  auto step = m.bn_train(x, c, 0.0f); // lr 0: only the running statistics change
  auto rm = m.params().values<float>("bn.running_mean"), rv = m.params().values<float>("bn.running_var");
  for (int ch = 0; ch < 4; ++ch) {
    double mean = 0, sq = 0, n = 2 * 81;
    for (int b = 0; b < 2; ++b)
      for (int i = 0; i < 81; ++i) mean += x[(b * 4 + ch) * 81 + i];
    mean /= n;
    for (int b = 0; b < 2; ++b)
      for (int i = 0; i < 81; ++i) sq += std::pow(x[(b * 4 + ch) * 81 + i] - mean, 2);
    CHECK(rm[ch] == doctest::Approx(0.1 * mean).epsilon(1e-4));
    CHECK(rv[ch] == doctest::Approx(0.9 + 0.1 * sq / (n - 1)).epsilon(1e-4));
    // Train mode normalises with the batch's (biased) statistics.
    double y0 = (x[ch * 81] - mean) / std::sqrt(sq / n + 1e-5);
    CHECK(step.y[ch * 81] == doctest::Approx(y0).epsilon(1e-4));
    // Eval mode uses the running ones.
    auto e = m.bn_eval(x);
    CHECK(e[ch * 81] == doctest::Approx((x[ch * 81] - rm[ch]) / std::sqrt(rv[ch] + 1e-5)).epsilon(1e-4));
  }
}
