// EXPECT: matmul: dtypes differ: f32[4,5] x i32[5,6]
#include <loom/loom.hpp>
using namespace loom;
LOOM_GENERATOR(g) { export_function("f", [](In<"a", f32, 4, 5> a, In<"b", i32, 5, 6> b) { return matmul(a, b); }); }
