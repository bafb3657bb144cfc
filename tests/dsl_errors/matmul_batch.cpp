// EXPECT: matmul: batch dimensions differ: [2,3,4] x [3,4,5]
#include <loom/loom.hpp>
using namespace loom;
LOOM_GENERATOR(g) { export_function("f", [](In<"a", f32, 2, 3, 4> a, In<"b", f32, 3, 4, 5> b) { return matmul(a, b); }); }
