// Every row of op_rows.hpp as a forward export (f_<row>) and, where the row is
// differentiable, a gradient export (g_<row>: loss = sum(op(...) * fixed
// weights)); op_table_test.cpp checks them.
#include "op_rows.hpp"

#include <loom/loom.hpp>

#include <cmath>
#include <string_view>
#include <vector>

using namespace loom;

namespace {
constexpr std::string_view kCovered[] = {
#define LOOM_ROW_OP(OP, ...) #OP,
#define LOOM_OTHER_ROW_OP(LABEL, OP, ...) #OP,
    LOOM_UNARY_OP_ROWS(LOOM_ROW_OP) LOOM_BINARY_OP_ROWS(LOOM_ROW_OP)
    LOOM_OP_ROWS(LOOM_OTHER_ROW_OP, LOOM_OTHER_ROW_OP) LOOM_OPS_CHECKED_ELSEWHERE(LOOM_ROW_OP)
#undef LOOM_ROW_OP
#undef LOOM_OTHER_ROW_OP
};
constexpr bool covered(std::string_view op) {
  for (std::string_view r : kCovered)
    if (r == op) return true;
  return false;
}
// The list of every op comes from LoomOps.td (loom/dsl/op_table.hpp).
#define LOOM_REQUIRE_ROW(OP)                                                                       \
  static_assert(covered(#OP), "loom." #OP " has no row in tests/e2e/op_rows.hpp, nor a line in LOOM_OPS_CHECKED_ELSEWHERE");
LOOM_ODS_OPS(LOOM_REQUIRE_ROW)
#undef LOOM_REQUIRE_ROW
// And every op a row names is one (a misspelt name would cover nothing).
constexpr std::string_view kOds[] = {
#define LOOM_ODS_NAME(OP) #OP,
    LOOM_ODS_OPS(LOOM_ODS_NAME)
#undef LOOM_ODS_NAME
};
constexpr bool allRowsNameOps() {
  for (std::string_view r : kCovered) {
    bool found = false;
    for (std::string_view o : kOds) found = found || o == r;
    if (!found) return false;
  }
  return true;
}
static_assert(allRowsNameOps(), "a row of tests/e2e/op_rows.hpp names an op that LoomOps.td does not declare");

using X = In<"x", f32, 3, 4>;
using B = In<"b", f32, 4>;
using C = In<"c", f32, 3, 4>; // a fixed cotangent

/// The loss of a gradient row: y weighted by fixed values in [-1, 1), different per
/// element and of both signs (so that float32 sums cancel as a cotangent's would).
template <long... D> Tensor<f32> weigh(const Tensor<f32, D...> &y) {
  if constexpr (sizeof...(D) == 0) return y * 0.75f;
  else {
    std::vector<double> w(Tensor<f32, D...>::numel);
    for (size_t i = 0; i < w.size(); ++i) {
      w[i] = 2 * std::fmod(0.618034 * double(i + 1) + 0.137, 1.0) - 1;
      if (std::abs(w[i]) < 0.05) w[i] += 0.1;
    }
    return sum(y * constant<f32, D...>(std::move(w)));
  }
}
} // namespace

LOOM_GENERATOR(op_table) {
#define UNARY(OP, EXPR, REF, LO, HI)                                                           \
  export_function("f_" #OP, [](X x) { return out<"y">(EXPR); });                               \
  export_gradient("g_" #OP, [](X x, C c) { return sum((EXPR) * c); });
#define BINARY(OP, EXPR, REF, LO, HI)                                                          \
  export_function("f_" #OP, [](X x, B b) { return out<"y">(EXPR); });                          \
  export_gradient("g_" #OP, [](X x, B b, C c) { return sum((EXPR) * c); });
  LOOM_UNARY_OP_ROWS(UNARY)
  LOOM_BINARY_OP_ROWS(BINARY)
#undef UNARY
#undef BINARY

#define IN(NAME, DTYPE, ...) In<#NAME, DTYPE, __VA_ARGS__> NAME
#define FWD(LABEL, OP, EXPR, REF, ...)                                                         \
  export_function("f_" #LABEL, [](LOOM_ROW_EACH(IN, LOOM_ROW_COMMA, __VA_ARGS__)) { return out<"y">(EXPR); });
#define ROW(LABEL, OP, EXPR, REF, TOL, ...)                                                    \
  FWD(LABEL, OP, EXPR, REF, __VA_ARGS__)                                                       \
  export_gradient("g_" #LABEL, [](LOOM_ROW_EACH(IN, LOOM_ROW_COMMA, __VA_ARGS__)) { return weigh(EXPR); });
  LOOM_OP_ROWS(ROW, FWD)
#undef IN
#undef FWD
#undef ROW
}
