// What the op table does not cover, compiled by loom, against plain C++ on the same inputs.
#include "ops.h"

#include <doctest/doctest.h>

#include <cmath>
#include <cstdio>
#include <functional>
#include <limits>

namespace {

/// Fills with values in [lo, hi) from a fixed pattern (no two the same).
template <class A> void fill(A &a, float lo, float hi, int salt = 0) {
  for (long i = 0; i < a.numel; ++i)
    a[i] = lo + (hi - lo) * std::fmod(0.618034f * (i + 1 + 7 * salt) + 0.1f * salt, 1.0f);
}

/// Largest |got - want| over all elements; printed so regressions are visible.
template <class A> double check(const char *what, const A &got, std::function<double(long)> want, double tol = 1e-5) {
  double err = 0;
  for (long i = 0; i < got.numel; ++i) err = std::max(err, std::abs(double(got[i]) - want(i)));
  MESSAGE(std::string(what) << ": max abs error " << err);
  CHECK_MESSAGE(err <= tol, what);
  return err;
}

} // namespace

TEST_CASE("scalar operands on either side") {
  ops::Model m;
  loom::rt::Array<float, 3, 4> a, p;
  loom::rt::Array<float, 4> b;
  fill(a, -2, 2), fill(b, -1, 1, 1), fill(p, 0.5f, 3, 2);
  auto r = m.elementwise(a, b, p);
  check("scalars", r.scalars, [&](long i) { return (a[i] * 2 + 1) / 4; });
  check("rsub", r.rsub, [&](long i) { return 1 - a[i]; });
}

TEST_CASE("relu and maximum propagate NaN as PyTorch does") {
  ops::Model m;
  loom::rt::Array<float, 3, 4> a, p;
  loom::rt::Array<float, 4> b;
  fill(a, -2, 2), fill(p, 1, 2);
  a[0] = std::numeric_limits<float>::quiet_NaN();
  auto r = m.elementwise(a, b, p);
  CHECK(std::isnan(r.relu[0]));
  CHECK(std::isnan(r.maximum[0]));
  CHECK(!std::isnan(r.relu[1]));
}

TEST_CASE("flatten and an output that is an input") {
  ops::Model m;
  loom::rt::Array<float, 2, 3, 4> x;
  fill(x, -1, 1);
  auto r = m.shapes(x);
  check("flatten", r.flat, [&](long i) { return x[i]; }, 0);
  check("identity", r.identity, [&](long i) { return x[i]; }, 0);
}

TEST_CASE("integer tensors use integer arithmetic") {
  ops::Model m;
  loom::rt::Array<int32_t, 2, 3> i;
  loom::rt::Array<int32_t, 3> j;
  const int32_t iv[] = {-7, 5, 3, 10, -1, 8}, jv[] = {4, -6, 2};
  for (int k = 0; k < 6; ++k) i[k] = iv[k];
  for (int k = 0; k < 3; ++k) j[k] = jv[k];
  auto r = m.integers(i, j);
  for (long k = 0; k < 6; ++k) {
    CHECK(r.add[k] == iv[k] + jv[k % 3]);
    CHECK(r.mul[k] == iv[k] * 3);
    CHECK(r.div[k] == iv[k] / 2); // truncates toward zero, as C++
    CHECK(r.maximum[k] == std::max(iv[k], jv[k % 3]));
    CHECK(r.neg[k] == -iv[k]);
  }
  for (long c = 0; c < 3; ++c) CHECK(r.sum[c] == iv[c] + iv[c + 3]);
  CHECK(r.max[0] == 5);
  CHECK(r.max[1] == 10);
}

TEST_CASE("parameters and constant tensors") {
  ops::Model m;
  loom::rt::Array<float, 2, 2> x;
  for (int k = 0; k < 4; ++k) x[k] = float(k + 1);
  auto y = m.constants(x);
  for (int k = 0; k < 4; ++k) CHECK(y[k] == doctest::Approx(0.5 * (k + 1) + (k + 1)));
  const float s[] = {1, 1, 1, 1};
  m.params().set("scale", s);
  y = m.constants(x);
  for (int k = 0; k < 4; ++k) CHECK(y[k] == doctest::Approx(2.0 * (k + 1)));
}
