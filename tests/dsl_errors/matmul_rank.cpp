// EXPECT: matmul: operands must both be 2-D or both 3-D: [4,5] x [2,5,6]
#include <loom/loom.hpp>
using namespace loom;
LOOM_GENERATOR(g) { export_function("f", [](In<"a", f32, 4, 5> a, In<"b", f32, 2, 5, 6> b) { return matmul(a, b); }); }
