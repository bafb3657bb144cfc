// What the op table (op_rows.hpp) does not cover: scalar operands, NaN,
// integer arithmetic, exports that compute nothing, parameters and constants;
// ops_test.cpp checks each output against a plain C++ loop.
#include <loom/loom.hpp>

using namespace loom;

LOOM_GENERATOR(ops) {
  export_function("elementwise", [](In<"a", f32, 3, 4> a, In<"b", f32, 4> b, In<"p", f32, 3, 4> p) {
    // Each op against its reference is in the op table (op_rows.hpp); here scalars and NaN.
    return std::tuple{out<"maximum">(maximum(a, b)), out<"relu">(relu(a)),
                      out<"scalars">((a * 2.0f + 1.0f) / 4.0f), out<"rsub">(1.0f - a)};
  });
  // Each op against its reference is in the op table; here the ABI's cases of a
  // reshape with nothing to compute and of an output that is an input.
  export_function("shapes", [](In<"x", f32, 2, 3, 4> x) {
    return std::tuple{out<"flat">(flatten(x)), out<"identity">(x)};
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
