// EXPECT: matmul: inner dimensions differ: [64,784] x [256,10]
#include <loom/loom.hpp>
using namespace loom;
LOOM_GENERATOR(g) { export_function("f", [](In<"a", f32, 64, 784> a, In<"b", f32, 256, 10> b) { return matmul(a, b); }); }
