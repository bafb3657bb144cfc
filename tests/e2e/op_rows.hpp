// The elementwise ops' test table: one row per op of LoomOps.td's unary and
// binary classes (op_table_model.cpp fails to compile when one has no row).
// From each row op_table_test.cpp checks the forward result against the
// row's reference (in double) and the gradient against central finite
// differences; ctest runs it again on the cuda emulator (emu/) and, with a
// GPU, on the GPU (gpu/).
//   UNARY(op, its DSL expression of x, reference of double a = x[i], x's range)
//   BINARY(op, its DSL expression of x [3,4] and b [4] (broadcast), reference of
//          doubles a = x[i] and c = b[i % 4], b's range; x lies in [-2, 2))
#pragma once

#define LOOM_UNARY_OP_ROWS(UNARY)                                                              \
  UNARY(neg, -x, -a, -2, 2)                                                                    \
  UNARY(exp, exp(x), std::exp(a), -2, 2)                                                       \
  UNARY(log, log(x), std::log(a), 0.2, 3)                                                      \
  UNARY(sqrt, sqrt(x), std::sqrt(a), 0.2, 3)                                                   \
  UNARY(tanh, tanh(x), std::tanh(a), -2, 2)                                                    \
  UNARY(sigmoid, sigmoid(x), 1 / (1 + std::exp(-a)), -3, 3)                                    \
  UNARY(relu, relu(x), std::max(a, 0.0), -2, 2)

#define LOOM_BINARY_OP_ROWS(BINARY)                                                            \
  BINARY(add, x + b, a + c, -1, 1)                                                             \
  BINARY(sub, x - b, a - c, -1, 1)                                                             \
  BINARY(mul, x * b, a * c, -1, 1)                                                             \
  BINARY(div, x / b, a / c, 0.5, 2)                                                            \
  BINARY(maximum, maximum(x, b), std::max(a, c), -1.5, 1.5)                                        \
  BINARY(minimum, minimum(x, b), std::min(a, c), -1, 1)
