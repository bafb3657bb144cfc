// The ops from their table (op_rows.hpp): each row's forward result against
// its reference, its gradient against central finite differences.
#include "fd.hpp"
#include "op_rows.hpp"
#include "op_table.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <string>
#include <type_traits>

namespace {

// Built on first use: with LOOM_DEVICE=cuda and no GPU, main() skips before any model exists.
op_table::Model &model() {
  static op_table::Model m(3);
  return m;
}

using A34 = loom::rt::Array<float, 3, 4>;
using A4 = loom::rt::Array<float, 4>;

/// Largest |got - want| relative to max(1, |want|) over all elements.
template <class A, class F> void forward(const std::string &what, const A &got, F want, double tol = 2e-6) {
  double err = 0;
  for (long i = 0; i < got.numel; ++i) {
    double w = want(i);
    err = std::max(err, std::abs(double(got[i]) - w) / std::max(1.0, std::abs(w)));
  }
  MESSAGE(what << ": max relative error " << err);
  CHECK_MESSAGE(err <= tol, what);
}

} // namespace

// What the rows of LOOM_OP_ROWS name: their dtypes and the helpers of their references.
namespace row {
using f32 = float;
using i32 = std::int32_t;
using i64 = std::int64_t;

/// An input of a row: f32 values in [-1, 1), all different; integers in [0, 4).
template <class A> A input(int salt) {
  auto v = fd::values<loom::rt::Array<float, A::numel>>(-1, 1, salt);
  A a;
  for (long i = 0; i < a.numel; ++i)
    if constexpr (std::is_floating_point_v<typename A::element_type>) a[i] = v[i];
    else a[i] = static_cast<typename A::element_type>(std::floor(2 * (v[i] + 1))) % 4;
  return a;
}

/// The multi-index (row-major) of flat element f of A.
template <class A> std::array<long, A::rank> index(long f) {
  std::array<long, A::rank> o{};
  for (int k = A::rank - 1; k >= 0; --k) o[k] = f % A::shape[k], f /= A::shape[k];
  return o;
}

template <class F> double sum_over(long n, F f) {
  double s = 0;
  for (long k = 0; k < n; ++k) s += f(k);
  return s;
}
template <class F> double max_over(long n, F f) {
  double m = f(0);
  for (long k = 1; k < n; ++k) m = std::max(m, double(f(k)));
  return m;
}
/// The first index of the largest value, as PyTorch's argmax.
template <class F> double argmax_over(long n, F f) {
  long at = 0;
  for (long k = 1; k < n; ++k)
    if (f(k) > f(at)) at = k;
  return double(at);
}
/// PyTorch's reflect padding: index i of an axis of n, the edge not repeated.
inline long reflect(long i, long n) { return i < 0 ? -i : i >= n ? 2 * (n - 1) - i : i; }

struct ConvOptions {
  long stride = 1, padding = 0, dilation = 1, groups = 1;
  bool reflect = false;
};
/// PyTorch's conv2d (NCHW input, OIHW filter) at output element o = (n, k, i, j).
template <class X, class W, class O> double conv(const O &o, const X &x, const W &w, ConvOptions c) {
  const long H = X::shape[2], Wd = X::shape[3], O_ = W::shape[0], CG = W::shape[1], K = W::shape[2];
  const long g = o[1] / (O_ / c.groups);
  double s = 0;
  for (long ch = 0; ch < CG; ++ch)
    for (long kh = 0; kh < K; ++kh)
      for (long kw = 0; kw < K; ++kw) {
        long i = o[2] * c.stride + kh * c.dilation - c.padding, j = o[3] * c.stride + kw * c.dilation - c.padding;
        if (c.reflect) i = reflect(i, H), j = reflect(j, Wd);
        else if (i < 0 || j < 0 || i >= H || j >= Wd) continue;
        s += x(o[0], g * CG + ch, i, j) * w(o[1], ch, kh, kw);
      }
  return s;
}
} // namespace row

namespace {

} // namespace

#define UNARY(OP, EXPR, REF, LO, HI)                                                           \
  TEST_CASE("loom." #OP) {                                                                     \
    auto x = fd::values<A34>(LO, HI), cot = fd::values<A34>(-1, 1, 1);                         \
    forward(#OP, model().f_##OP(x), [&](long i) {                                              \
      double a = x[i];                                                                         \
      return REF;                                                                              \
    });                                                                                        \
    auto r = model().g_##OP(x, cot);                                                           \
    fd::check(#OP " gradient", x, r.grad_x, [&] { return model().g_##OP(x, cot).loss[0]; });   \
  }
#define BINARY(OP, EXPR, REF, LO, HI)                                                          \
  TEST_CASE("loom." #OP " with broadcasting") {                                                \
    auto x = fd::values<A34>(-2, 2), cot = fd::values<A34>(-1, 1, 1);                          \
    auto b = fd::values<A4>(LO, HI, 2);                                                        \
    forward(#OP, model().f_##OP(x, b), [&](long i) {                                           \
      double a = x[i], c = b[i % 4];                                                           \
      return REF;                                                                              \
    });                                                                                        \
    auto r = model().g_##OP(x, b, cot);                                                        \
    auto loss = [&] { return model().g_##OP(x, b, cot).loss[0]; };                             \
    fd::check(#OP " gradient (x)", x, r.grad_x, loss);                                         \
    fd::check(#OP " gradient (b, broadcast)", b, r.grad_b, loss);                              \
  }
LOOM_UNARY_OP_ROWS(UNARY)
LOOM_BINARY_OP_ROWS(BINARY)
#undef UNARY
#undef BINARY

// The other rows: inputs declared from the row, the reference a function of the
// output's multi-index o, a finite-difference check per input of a ROW.
#define INPUT(NAME, DTYPE, ...) auto NAME = row::input<loom::rt::Array<row::DTYPE, __VA_ARGS__>>(salt++);
#define NAME_OF(NAME, ...) NAME
#define GRADIENT(NAME, ...) fd::check(std::string(label) + " gradient (" #NAME ")", NAME, r.grad_##NAME, loss, tol);
#define FORWARD(LABEL, REF, ...)                                                               \
  [[maybe_unused]] const char *label = #LABEL;                                                 \
  int salt = 0;                                                                                \
  LOOM_ROW_EACH(INPUT, LOOM_ROW_NONE, __VA_ARGS__)                                             \
  {                                                                                            \
    auto y = model().f_##LABEL(LOOM_ROW_EACH(NAME_OF, LOOM_ROW_COMMA, __VA_ARGS__));           \
    forward(                                                                                   \
        label, y,                                                                              \
        [&](long f) -> double {                                                                \
          [[maybe_unused]] auto o = row::index<decltype(y)>(f);                                \
          using namespace row;                                                                 \
          return REF;                                                                          \
        },                                                                                     \
        1e-5);                                                                                 \
  }
#define FWD(LABEL, OP, EXPR, REF, ...)                                                         \
  TEST_CASE("loom." #OP ": " #LABEL) { FORWARD(LABEL, REF, __VA_ARGS__) }
#define ROW(LABEL, OP, EXPR, REF, TOL, ...)                                                    \
  TEST_CASE("loom." #OP ": " #LABEL) {                                                         \
    FORWARD(LABEL, REF, __VA_ARGS__)                                                           \
    const double tol = TOL;                                                                    \
    auto loss = [&] { return model().g_##LABEL(LOOM_ROW_EACH(NAME_OF, LOOM_ROW_COMMA, __VA_ARGS__)).loss[0]; }; \
    auto r = model().g_##LABEL(LOOM_ROW_EACH(NAME_OF, LOOM_ROW_COMMA, __VA_ARGS__));           \
    LOOM_ROW_EACH(GRADIENT, LOOM_ROW_NONE, __VA_ARGS__)                                        \
  }
LOOM_OP_ROWS(ROW, FWD)
#undef INPUT
#undef NAME_OF
#undef GRADIENT
#undef FORWARD
#undef FWD
#undef ROW

TEST_CASE("maximum and minimum split the gradient on ties, as PyTorch") {
  A34 x;
  A4 b;
  auto c = fd::values<A34>(-1, 1, 1);
  for (long i = 0; i < 12; ++i) x[i] = 1.0f;
  for (long i = 0; i < 4; ++i) b[i] = 1.0f;
  auto r = model().g_maximum(x, b, c);
  for (long i = 0; i < 12; ++i) CHECK(r.grad_x[i] == doctest::Approx(c[i] / 2));
  CHECK(r.grad_b[0] == doctest::Approx((c[0] + c[4] + c[8]) / 2));
}
