// The op tests' table: one row per op of LoomOps.td (an op may have several),
// or a line in LOOM_OPS_CHECKED_ELSEWHERE saying where it is checked;
// op_table_model.cpp fails to compile when an op has neither. From each row
// op_table_test.cpp checks the forward result against the row's reference (in
// double) and the gradient against central finite differences; ctest runs it
// again on the cuda emulator (emu/) and, with a GPU, on the GPU (gpu/).
//
// The elementwise classes, one row per op:
//   UNARY(op, its DSL expression of x, reference of double a = x[i], x's range)
//   BINARY(op, its DSL expression of x [3,4] and b [4] (broadcast), reference of
//          doubles a = x[i] and c = b[i % 4], b's range; x lies in [-2, 2))
#pragma once

// LOOM_ROW_EACH(M, SEP, (a...), (b...)) is M(a...) SEP() M(b...): a row's inputs
// as lambda parameters (SEP = LOOM_ROW_COMMA) or as statements (LOOM_ROW_NONE).
#define LOOM_ROW_EACH(M, SEP, ...) LOOM_ROW_EACH_N(__VA_ARGS__, LOOM_ROW_EACH3, LOOM_ROW_EACH2, LOOM_ROW_EACH1, )(M, SEP, __VA_ARGS__)
#define LOOM_ROW_EACH_N(A, B, C, N, ...) N
#define LOOM_ROW_EACH1(M, SEP, A) M A
#define LOOM_ROW_EACH2(M, SEP, A, B) M A SEP() M B
#define LOOM_ROW_EACH3(M, SEP, A, B, C) M A SEP() M B SEP() M C
#define LOOM_ROW_COMMA() ,
#define LOOM_ROW_NONE()

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

// Every other op, on the cases that reach its distinct code paths:
//   ROW(label, op, expression, reference, gradient tolerance, inputs...)
//   FWD(label, op, expression, reference, inputs...)    forward only: integer or
//       boolean values, or too large for finite differences
// An input is (name, dtype, dims...); f32 inputs get values in [-1, 1), all
// different, integer ones values in [0, 4) (ties, and valid labels of 4
// classes); every input of a ROW is f32 and gets a gradient check. The
// reference is a double of the output's multi-index `o` and the inputs by
// name, with the helpers of op_table_test.cpp (sum_over, max_over, argmax_over,
// reflect, conv). Expression and reference are parenthesised where they hold a
// comma outside parentheses.
#define LOOM_OP_ROWS(ROW, FWD)                                                                   \
  ROW(broadcast_to, broadcast_to, (broadcast_to<3, 4>(x)), x(o[0], 0), 2e-3, (x, f32, 3, 1))      \
  ROW(reshape, reshape, (reshape<2, 6>(x)), x[o[0] * 6 + o[1]], 2e-3, (x, f32, 3, 4))             \
  ROW(transpose, transpose, transpose(x), x(o[1], o[0]), 2e-3, (x, f32, 3, 4))                    \
  ROW(permute, transpose, (permute<2, 0, 1>(x)), x(o[1], o[2], o[0]), 2e-3, (x, f32, 2, 3, 4))    \
  ROW(concat, concat, (concat<1>(x, b)), (o[1] < 4 ? x(o[0], o[1]) : b(o[0], o[1] - 4)), 2e-3,   \
      (x, f32, 3, 4), (b, f32, 3, 2))                                                            \
  ROW(slice, slice, (slice<1, 1, 4, 2>(x)), x(o[0], 1 + 2 * o[1]), 2e-3, (x, f32, 3, 4))          \
  ROW(matmul, matmul, matmul(a, b), sum_over(3, [&](long k) { return a(o[0], k) * b(k, o[1]); }), \
      2e-3, (a, f32, 5, 3), (b, f32, 3, 4))                                                      \
  ROW(matmul_transposed, matmul, matmul(a, transpose(w)),                                        \
      sum_over(3, [&](long k) { return a(o[0], k) * w(o[1], k); }), 2e-3, (a, f32, 5, 3),         \
      (w, f32, 4, 3))                                                                            \
  ROW(matmul_batched, matmul, matmul(a, b),                                                      \
      sum_over(4, [&](long k) { return a(o[0], o[1], k) * b(o[0], k, o[2]); }), 2e-3,             \
      (a, f32, 2, 3, 4), (b, f32, 2, 4, 2))                                                      \
  ROW(sum, reduce_sum, sum<1>(x), sum_over(3, [&](long j) { return x(o[0], j, o[1]); }), 2e-3,   \
      (x, f32, 2, 3, 4))                                                                         \
  ROW(sum_all, reduce_sum, sum(x), sum_over(12, [&](long k) { return x[k]; }), 2e-3,             \
      (x, f32, 3, 4))                                                                            \
  ROW(mean, reduce_mean, (mean<0, 2>(x)),                                                        \
      sum_over(8, [&](long k) { return x(k / 4, o[0], k % 4); }) / 8, 2e-3, (x, f32, 2, 3, 4))    \
  ROW(max, reduce_max, max<-1>(x), max_over(4, [&](long k) { return x(o[0], k); }), 2e-3,        \
      (x, f32, 3, 4))                                                                            \
  ROW(pad_zeros, pad, pad2d<2>(x),                                                               \
      (o[2] < 2 || o[2] >= 6 || o[3] < 2 || o[3] >= 7 ? 0.0 : x(o[0], o[1], o[2] - 2, o[3] - 2)), \
      2e-3, (x, f32, 1, 2, 4, 5))                                                                \
  ROW(pad_reflect, pad, (pad2d<3, Pad::reflect>(x)),                                             \
      x(o[0], o[1], reflect(o[2] - 3, 4), reflect(o[3] - 3, 5)), 2e-3, (x, f32, 1, 2, 4, 5))      \
  ROW(select, select, (where(greater(x, 0.0f), x * x, -x)),                                      \
      (x(o[0], o[1]) > 0 ? x(o[0], o[1]) * x(o[0], o[1]) : -x(o[0], o[1])), 2e-3, (x, f32, 3, 4)) \
  ROW(conv2d, conv2d, (conv2d<Conv{}>(x, w, b)), conv(o, x, w, {}) + b(o[1]), 2e-3,              \
      (x, f32, 2, 4, 9, 9), (w, f32, 6, 4, 3, 3), (b, f32, 6))                                   \
  ROW(conv2d_strided_dilated_grouped, conv2d,                                                    \
      (conv2d<Conv{.stride = 2, .padding = 1, .dilation = 2, .groups = 2}>(x, w)),               \
      (conv(o, x, w, {.stride = 2, .padding = 1, .dilation = 2, .groups = 2})), 2e-3,            \
      (x, f32, 2, 4, 9, 9), (w, f32, 6, 2, 3, 3))                                                \
  /* 7x7 taps over reflected edges: larger sums, more float32 noise in the differences */       \
  ROW(conv2d_reflect_7x7, conv2d, (conv2d<Conv{.padding = 3, .mode = Pad::reflect}>(x, w)),     \
      (conv(o, x, w, {.padding = 3, .reflect = true})), 5e-3, (x, f32, 2, 4, 9, 9),             \
      (w, f32, 3, 4, 7, 7))                                                                      \
  /* Wide enough for the CPU's micro-kernels (-loom-cpu-ukernels: 16+ channels), and the 3x3 */ \
  /* for Winograd's form (32+; 9 x 9: partial tiles); its gradient is cnn_test's (through */      \
  /* tanh, against a double-precision reference). */                                              \
  FWD(conv2d_wide, conv2d, (conv2d<Conv{.padding = 1}>(x, w, b)),                                \
      (conv(o, x, w, {.padding = 1}) + b(o[1])), (x, f32, 2, 32, 9, 9), (w, f32, 64, 32, 3, 3),  \
      (b, f32, 64))                                                                              \
  ROW(conv2d_wide_strided_grouped, conv2d, (conv2d<Conv{.stride = 2, .padding = 1, .groups = 2}>(x, w)), \
      (conv(o, x, w, {.stride = 2, .padding = 1, .groups = 2})), 5e-3, (x, f32, 2, 16, 9, 9),    \
      (w, f32, 32, 8, 3, 3))                                                                     \
  ROW(conv2d_wide_1x1_strided, conv2d, (conv2d<Conv{.stride = 2}>(x, w)),                        \
      (conv(o, x, w, {.stride = 2})), 5e-3, (x, f32, 2, 16, 9, 9), (w, f32, 32, 16, 1, 1))       \
  /* Large enough for the CUDA target's shared-memory tiles (sizes not multiples of 16). */      \
  FWD(matmul_large, matmul, matmul(a, b),                                                        \
      sum_over(70, [&](long k) { return a(o[0], k) * b(k, o[1]); }), (a, f32, 200, 70),          \
      (b, f32, 70, 180))                                                                         \
  FWD(matmul_large_transposed, matmul, matmul(a, transpose(w)),                                  \
      sum_over(70, [&](long k) { return a(o[0], k) * w(o[1], k); }), (a, f32, 200, 70),          \
      (w, f32, 180, 70))                                                                         \
  FWD(greater, compare, greater(x, b), x(o[0], o[1]) > b(o[1]), (x, f32, 3, 4), (b, f32, 4))     \
  FWD(equal, compare, equal(i, j), i(o[0], o[1]) == j(o[1]), (i, i32, 3, 4), (j, i32, 4))        \
  FWD(not_equal, compare, not_equal(i, j), i(o[0], o[1]) != j(o[1]), (i, i32, 3, 4), (j, i32, 4))\
  FWD(less, compare, less(i, j), i(o[0], o[1]) < j(o[1]), (i, i32, 3, 4), (j, i32, 4))           \
  FWD(less_equal, compare, less_equal(i, j), i(o[0], o[1]) <= j(o[1]), (i, i32, 3, 4),           \
      (j, i32, 4))                                                                               \
  FWD(greater_equal, compare, greater_equal(i, j), i(o[0], o[1]) >= j(o[1]), (i, i32, 3, 4),     \
      (j, i32, 4))                                                                               \
  FWD(cast_to_int, cast, cast<i32>(x * 3.0f), double(int(x[o[0] * 4 + o[1]] * 3.0f)),           \
      (x, f32, 3, 4))                                                                            \
  FWD(cast_to_float, cast, cast<f32>(i), double(i(o[0], o[1])), (i, i64, 3, 4))                  \
  FWD(one_hot, one_hot, one_hot<4>(l), double(l(o[0]) == o[1]), (l, i64, 3))                     \
  FWD(argmax, argmax, argmax<1>(x), argmax_over(4, [&](long k) { return x(o[0], k); }),          \
      (x, f32, 3, 4))

// Ops without a row of their own, and where each is checked.
#define LOOM_OPS_CHECKED_ELSEWHERE(X)                                                             \
  X(constant, "ops_test: parameters and constant tensors")                                       \
  X(insert_slice, "the gradient of the slice row")                                               \
  X(unpad, "the gradients of the pad rows")                                                      \
  X(conv2d_input_grad, "the gradients of the conv2d rows")                                       \
  X(conv2d_filter_grad, "the gradients of the conv2d rows")                                      \
  X(stop_gradient, "grad_test: finite differences see the path it stops")                        \
  X(random_uniform, "dropout_test and grad_test: random, so no fixed reference")                 \
  X(all_reduce, "tests/mpi: it needs several processes")
