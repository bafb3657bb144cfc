// Every row of op_rows.hpp as a forward export (f_<op>) and a gradient export
// (g_<op>, loss = sum(op(...) * c)); op_table_test.cpp checks them.
#include "op_rows.hpp"

#include <loom/loom.hpp>

#include <string_view>

using namespace loom;

namespace {
constexpr std::string_view kRows[] = {
#define LOOM_ROW_NAME(OP, ...) #OP,
    LOOM_UNARY_OP_ROWS(LOOM_ROW_NAME) LOOM_BINARY_OP_ROWS(LOOM_ROW_NAME)
#undef LOOM_ROW_NAME
};
constexpr bool hasRow(std::string_view op) {
  for (std::string_view r : kRows)
    if (r == op) return true;
  return false;
}
// The lists of unary and binary ops come from LoomOps.td (loom/dsl/op_table.hpp).
#define LOOM_REQUIRE_ROW(OP) static_assert(hasRow(#OP), "loom." #OP " has no row in tests/e2e/op_rows.hpp");
LOOM_ODS_UNARY_OPS(LOOM_REQUIRE_ROW)
LOOM_ODS_BINARY_OPS(LOOM_REQUIRE_ROW)
#undef LOOM_REQUIRE_ROW

using X = In<"x", f32, 3, 4>;
using B = In<"b", f32, 4>;
using C = In<"c", f32, 3, 4>; // a fixed cotangent
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
}
