// The elementwise ops from their table (op_rows.hpp): each op's forward result
// against the row's reference, its gradient against central finite differences.
#include "fd.hpp"
#include "op_rows.hpp"
#include "op_table.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <string>

namespace {

// Built on first use: with LOOM_DEVICE=cuda and no GPU, main() skips before any model exists.
op_table::Model &model() {
  static op_table::Model m(3);
  return m;
}

using A34 = loom::rt::Array<float, 3, 4>;
using A4 = loom::rt::Array<float, 4>;

/// Largest |got - want| relative to max(1, |want|) over all elements.
template <class A, class F> void forward(const std::string &what, const A &got, F want) {
  double err = 0;
  for (long i = 0; i < got.numel; ++i) {
    double w = want(i);
    err = std::max(err, std::abs(double(got[i]) - w) / std::max(1.0, std::abs(w)));
  }
  MESSAGE(what << ": max relative error " << err);
  CHECK_MESSAGE(err <= 2e-6, what);
}

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
