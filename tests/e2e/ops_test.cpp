// Each op compiled by loom against a plain C++ loop on the same inputs.
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

TEST_CASE("reshape, permute, transpose, concat, slice, broadcast, identity") {
  ops::Model m;
  loom::rt::Array<float, 2, 3, 4> x;
  loom::rt::Array<float, 3, 1> c;
  fill(x, -1, 1), fill(c, 0, 1, 3);
  auto r = m.shapes(x, c);
  check("reshape", r.reshaped, [&](long i) { return x[i]; }, 0);
  check("flatten", r.flat, [&](long i) { return x[i]; }, 0);
  check("identity", r.identity, [&](long i) { return x[i]; }, 0);
  // permuted[k][i][j] = x[i][j][k], shape [4,2,3]
  check("permute", r.permuted, [&](long f) { long k = f / 6, i = f / 3 % 2, j = f % 3; return x(i, j, k); }, 0);
  // transposed[i][k][j] = x[i][j][k], shape [2,4,3]
  check("transpose", r.transposed, [&](long f) { long i = f / 12, k = f / 3 % 4, j = f % 3; return x(i, j, k); }, 0);
  // concat along axis 1: [2,6,4]
  check("concat", r.concat, [&](long f) {
    long i = f / 24, j = f / 4 % 6, k = f % 4;
    return j < 3 ? x(i, j, k) : 2 * x(i, j - 3, k);
  }, 0);
  // slice axis 2, 1:4:2 -> k in {1, 3}: [2,3,2]
  check("slice", r.sliced, [&](long f) { long i = f / 6, j = f / 2 % 3, k = 1 + 2 * (f % 2); return x(i, j, k); }, 0);
  check("broadcast_to", r.broadcast, [&](long f) { return c[f / 4 % 3]; }, 0);
}

TEST_CASE("pad2d: reflect (PyTorch's, the edge not repeated) and zeros") {
  ops::Model m;
  loom::rt::Array<float, 2, 1, 4, 5> x;
  fill(x, -1, 1);
  auto r = m.padding(x);
  auto reflect = [](long i, long n) { return i < 0 ? -i : i >= n ? 2 * (n - 1) - i : i; };
  // [2,1,10,11]: rows -3..6 of 4, columns -3..7 of 5
  check("reflect", r.reflect, [&](long f) {
    long n = f / 110, i = f / 11 % 10 - 3, j = f % 11 - 3;
    return x(n, 0, reflect(i, 4), reflect(j, 5));
  }, 0);
  // [2,1,8,9]
  check("zeros", r.zeros, [&](long f) {
    long n = f / 72, i = f / 9 % 8 - 2, j = f % 9 - 2;
    return i < 0 || i >= 4 || j < 0 || j >= 5 ? 0.0 : x(n, 0, i, j);
  }, 0);
  CHECK(r.reflect(0, 0, 0, 0) == x(0, 0, 3, 3)); // the corner mirrors both ways
}

TEST_CASE("sum, mean, max over axes and over everything") {
  ops::Model m;
  loom::rt::Array<float, 2, 3, 4> x;
  fill(x, -3, 3);
  auto r = m.reductions(x);
  check("sum<1>", r.sum1, [&](long f) { long i = f / 4, k = f % 4; double s = 0; for (long j = 0; j < 3; ++j) s += x(i, j, k); return s; });
  check("mean<0,2>", r.mean02, [&](long j) { double s = 0; for (long i = 0; i < 2; ++i) for (long k = 0; k < 4; ++k) s += x(i, j, k); return s / 8; });
  check("max<-1>", r.max2, [&](long f) { double v = -1e30; for (long k = 0; k < 4; ++k) v = std::max(v, double(x[f * 4 + k])); return v; });
  check("sum()", r.total, [&](long) { double s = 0; for (long i = 0; i < 24; ++i) s += x[i]; return s; });
}

TEST_CASE("matmul: 2-D, with a transposed operand, batched") {
  ops::Model m;
  loom::rt::Array<float, 5, 3> a;
  loom::rt::Array<float, 3, 4> b;
  loom::rt::Array<float, 4, 3> w;
  loom::rt::Array<float, 2, 5, 3> a3;
  loom::rt::Array<float, 2, 3, 4> b3;
  fill(a, -1, 1), fill(b, -1, 1, 1), fill(w, -1, 1, 2), fill(a3, -1, 1, 3), fill(b3, -1, 1, 4);
  auto r = m.matmuls(a, b, w, a3, b3);
  check("matmul", r.mm, [&](long f) { long i = f / 4, j = f % 4; double s = 0; for (long k = 0; k < 3; ++k) s += a(i, k) * b(k, j); return s; });
  check("matmul(a, w^T)", r.mt, [&](long f) { long i = f / 4, j = f % 4; double s = 0; for (long k = 0; k < 3; ++k) s += a(i, k) * w(j, k); return s; });
  check("batched matmul", r.bmm, [&](long f) {
    long n = f / 20, i = f / 4 % 5, j = f % 4;
    double s = 0;
    for (long k = 0; k < 3; ++k) s += a3(n, i, k) * b3(n, k, j);
    return s;
  });
}

TEST_CASE("large matmuls (tiled on the GPU), plain and transposed") {
  ops::Model m;
  loom::rt::Array<float, 200, 70> a;
  loom::rt::Array<float, 70, 180> b;
  loom::rt::Array<float, 180, 70> w;
  fill(a, -1, 1), fill(b, -1, 1, 1), fill(w, -1, 1, 2);
  auto r = m.large_matmuls(a, b, w);
  check("matmul 200x70x180", r.mm, [&](long f) { long i = f / 180, j = f % 180; double s = 0; for (long k = 0; k < 70; ++k) s += a(i, k) * b(k, j); return s; }, 1e-4);
  check("matmul(a, w^T) 200x70x180", r.mt, [&](long f) { long i = f / 180, j = f % 180; double s = 0; for (long k = 0; k < 70; ++k) s += a(i, k) * w(j, k); return s; }, 1e-4);
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
