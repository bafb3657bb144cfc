// Every DSL op, compiled for the CPU; ops_test.cpp checks each output against
// a plain C++ loop.
#include <loom/loom.hpp>

using namespace loom;

LOOM_GENERATOR(ops) {
  export_function("elementwise", [](In<"a", f32, 3, 4> a, In<"b", f32, 4> b, In<"p", f32, 3, 4> p) {
    // Each op against its reference is in the op table (op_rows.hpp); here scalars and NaN.
    return std::tuple{out<"maximum">(maximum(a, b)), out<"relu">(relu(a)),
                      out<"scalars">((a * 2.0f + 1.0f) / 4.0f), out<"rsub">(1.0f - a)};
  });
  export_function("shapes", [](In<"x", f32, 2, 3, 4> x, In<"c", f32, 3, 1> c) {
    return std::tuple{out<"reshaped">(reshape<4, -1>(x)), out<"permuted">(permute<2, 0, 1>(x)),
                      out<"transposed">(transpose(x)), out<"concat">(concat<1>(x, x * 2.0f)),
                      out<"sliced">(slice<2, 1, 4, 2>(x)), out<"broadcast">(broadcast_to<2, 3, 4>(c)),
                      out<"flat">(flatten(x)), out<"identity">(x)};
  });
  export_function("padding", [](In<"x", f32, 2, 1, 4, 5> x) {
    return std::tuple{out<"reflect">(pad2d<3, Pad::reflect>(x)), out<"zeros">(pad2d<2>(x))};
  });
  export_function("reductions", [](In<"x", f32, 2, 3, 4> x) {
    return std::tuple{out<"sum1">(sum<1>(x)), out<"mean02">(mean<0, 2>(x)), out<"max2">(max<-1>(x)),
                      out<"total">(sum(x))};
  });
  export_function("matmuls", [](In<"a", f32, 5, 3> a, In<"b", f32, 3, 4> b, In<"w", f32, 4, 3> w,
                                In<"a3", f32, 2, 5, 3> a3, In<"b3", f32, 2, 3, 4> b3) {
    return std::tuple{out<"mm">(matmul(a, b)), out<"mt">(matmul(a, transpose(w))), out<"bmm">(matmul(a3, b3))};
  });
  // Large enough for the CUDA target's shared-memory tiles (sizes not multiples of 16).
  export_function("large_matmuls", [](In<"a", f32, 200, 70> a, In<"b", f32, 70, 180> b, In<"w", f32, 180, 70> w) {
    return std::tuple{out<"mm">(matmul(a, b)), out<"mt">(matmul(a, transpose(w)))};
  });
  export_function("integers", [](In<"i", i32, 2, 3> i, In<"j", i32, 3> j) {
    return std::tuple{out<"add">(i + j), out<"mul">(i * 3), out<"div">(i / 2), out<"maximum">(maximum(i, j)),
                      out<"neg">(-i), out<"sum">(sum<0>(i)), out<"max">(max<1>(i))};
  });
  Param<f32, 2, 2> scale{"scale", init::constant(0.5)};
  export_function("constants", [&](In<"x", f32, 2, 2> x) {
    return out<"y">(x * scale + constant<f32, 2, 2>({1, 2, 3, 4}));
  });
}
