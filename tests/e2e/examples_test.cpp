// The examples' compiled models against plain C++ implementations of the same maths.
#include "linreg.h"
#include "mlp.h"

#include <doctest/doctest.h>

#include <cmath>
#include <vector>

TEST_CASE("mlp: compiled forward pass equals a plain C++ MLP") {
  mlp::Model model(123);
  loom::rt::Array<float, 64, 784> x;
  for (long i = 0; i < x.numel; ++i) x[i] = std::fmod(0.37f * i, 1.0f);
  auto logits = model.predict(x);

  auto &p = model.params();
  auto w1 = p.values<float>("fc1.weight"), b1 = p.values<float>("fc1.bias");
  auto w2 = p.values<float>("fc2.weight"), b2 = p.values<float>("fc2.bias");
  double err = 0, scale = 0;
  for (long n = 0; n < 64; ++n) {
    std::vector<double> h(256);
    for (long j = 0; j < 256; ++j) {
      double s = b1[j];
      for (long k = 0; k < 784; ++k) s += double(x(n, k)) * w1[j * 784 + k];
      h[j] = std::max(0.0, s);
    }
    for (long c = 0; c < 10; ++c) {
      double s = b2[c];
      for (long j = 0; j < 256; ++j) s += h[j] * w2[c * 256 + j];
      err = std::max(err, std::abs(s - logits(n, c)));
      scale = std::max(scale, std::abs(s));
    }
  }
  MESSAGE("mlp: max abs error " << err << " (largest logit " << scale << ")");
  CHECK(scale > 0.1); // the reference is not trivially zero
  CHECK(err < 1e-4);
}

TEST_CASE("mlp: the same seed gives the same parameters and outputs") {
  mlp::Model a(5), b(5), c(6);
  loom::rt::Array<float, 64, 784> x;
  for (long i = 0; i < x.numel; ++i) x[i] = float(i % 13) / 13;
  auto ya = a.predict(x), yb = b.predict(x), yc = c.predict(x);
  CHECK(std::equal(ya.span().begin(), ya.span().end(), yb.span().begin()));
  CHECK(!std::equal(ya.span().begin(), ya.span().end(), yc.span().begin()));
}

TEST_CASE("linreg: y_hat = x . w") {
  linreg::Model model;
  loom::rt::Array<float, 4, 2> x;
  const float xs[] = {10, 1, 20, 2, 0, 1, -3, 0.5f};
  for (int i = 0; i < 8; ++i) x[i] = xs[i];
  // w starts at zero, as in the homework.
  auto y0 = model.predict(x);
  for (int i = 0; i < 4; ++i) CHECK(y0[i] == 0.0f);
  const float w[] = {1.08910891f, 0.10891089f};
  model.params().set("w", w);
  auto y = model.predict(x);
  double err = 0;
  for (int i = 0; i < 4; ++i) err = std::max(err, std::abs(double(y[i]) - (xs[2 * i] * w[0] + xs[2 * i + 1] * w[1])));
  MESSAGE("linreg: max abs error " << err);
  CHECK(err < 1e-6);
  CHECK(y[0] == doctest::Approx(11.0).epsilon(1e-6)); // the minimum-norm solution fits x = [10, 1], y = 11
}
