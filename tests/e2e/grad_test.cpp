// Compiled gradients of what the op table does not cover against central
// finite differences of the same compiled loss, or against what they must be.
#include "fd.hpp"
#include "grads.h"

#include <doctest/doctest.h>

#include <cmath>
#include <cstdio>
#include <string>

namespace {

// Built on first use: with LOOM_DEVICE=cuda and no GPU, main() skips before any model exists.
grads::Model &model() {
  static grads::Model m(3);
  return m;
}

template <class R> constexpr bool has_grad_frozen = requires(R r) { r.grad_frozen; };

using A34 = loom::rt::Array<float, 3, 4>;

} // namespace

#define UNARY(NAME, LO, HI)                                                                    \
  TEST_CASE(#NAME) {                                                                           \
    auto x = fd::values<A34>(LO, HI), c = fd::values<A34>(-1, 1, 1);                                   \
    auto r = model().g_##NAME(x, c);                                                             \
    fd::check(#NAME, x, r.grad_x, [&] { return model().g_##NAME(x, c).loss[0]; });                \
    fd::check(#NAME " (cotangent)", c, r.grad_c, [&] { return model().g_##NAME(x, c).loss[0]; }); \
  }
UNARY(scalars, -2, 2)
UNARY(fanout, -1, 1)
UNARY(log_softmax, -2, 2)
UNARY(dropout, -2, 2)
#undef UNARY


TEST_CASE("reduce_max shares the gradient among tied maxima") {
  A34 x;
  loom::rt::Array<float, 3> c;
  for (long i = 0; i < 12; ++i) x[i] = float(i % 4 == 1 || i % 4 == 3 ? 5 : i % 4);
  for (long i = 0; i < 3; ++i) c[i] = float(i + 1);
  auto r = model().g_max(x, c);
  for (long i = 0; i < 12; ++i) CHECK(r.grad_x[i] == doctest::Approx(i % 4 == 1 || i % 4 == 3 ? c[i / 4] / 2 : 0));
}

TEST_CASE("losses: mse and cross-entropy") {
  auto x = fd::values<A34>(-2, 2), t = fd::values<A34>(-1, 1, 1);
  fd::check("mse_loss", x, model().g_mse(x, t).grad_x, [&] { return model().g_mse(x, t).loss[0]; });
  loom::rt::Array<int64_t, 3> labels;
  labels[0] = 2, labels[1] = 0, labels[2] = 3;
  auto r = model().g_cross_entropy(x, labels);
  fd::check("cross_entropy", x, r.grad_x, [&] { return model().g_cross_entropy(x, labels).loss[0]; });
  // Its value: mean of logsumexp(row) - row[label].
  double ref = 0;
  for (int i = 0; i < 3; ++i) {
    double m = -1e30, s = 0;
    for (int j = 0; j < 4; ++j) m = std::max(m, double(x(i, j)));
    for (int j = 0; j < 4; ++j) s += std::exp(x(i, j) - m);
    ref += m + std::log(s) - x(i, labels[i]);
  }
  CHECK(r.loss[0] == doctest::Approx(ref / 3).epsilon(1e-5));
}

TEST_CASE("stop_gradient blocks one path of x * stop_gradient(x)") {
  auto x = fd::values<A34>(-2, 2), c = fd::values<A34>(-1, 1, 1);
  auto r = model().g_stop(x, c);
  for (long i = 0; i < 12; ++i) CHECK(r.grad_x[i] == doctest::Approx(x[i] * c[i])); // not 2 x c
}

TEST_CASE("dropout: the same mask in forward and backward, new each step") {
  auto x = fd::values<A34>(-2, 2), c = fd::values<A34>(-1, 1, 1);
  auto r = model().g_dropout(x, c, 1);
  int kept = 0;
  for (long i = 0; i < 12; ++i) {
    // The gradient is c * 2 where the element was kept (1/(1-p) = 2) and 0 where dropped.
    bool keep = r.grad_x[i] != 0;
    kept += keep;
    CHECK(r.grad_x[i] == doctest::Approx(keep ? 2 * c[i] : 0.0));
  }
  CHECK(kept > 0);
  CHECK(kept < 12);
  auto again = model().g_dropout(x, c, 1), other = model().g_dropout(x, c, 2);
  CHECK(std::equal(again.grad_x.span().begin(), again.grad_x.span().end(), r.grad_x.span().begin()));
  CHECK(!std::equal(other.grad_x.span().begin(), other.grad_x.span().end(), r.grad_x.span().begin()));
}

TEST_CASE("parameters get gradients; frozen ones do not") {
  auto x = fd::values<A34>(-2, 2), c = fd::values<A34>(-1, 1, 1);
  auto r = model().g_param(x, c);
  auto w = model().params().values<float>("w");
  for (long j = 0; j < 4; ++j) {
    double want = 0;
    for (long i = 0; i < 3; ++i) want += x(i, j) * c(i, j);
    CHECK(r.grad_w[j] == doctest::Approx(want));
    CHECK(r.grad_x[j] == doctest::Approx(w[j] * c[j]));
  }
  static_assert(!has_grad_frozen<grads::g_param_result>, "a frozen parameter has no gradient output");
}
