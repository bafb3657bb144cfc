// EXPECT: avg_pool2d<8>: window larger than input [2,3,4,4]
#include <loom/loom.hpp>
using namespace loom;
LOOM_GENERATOR(g) { export_function("f", [](In<"x", f32, 2, 3, 4, 4> x) { return avg_pool2d<8>(x); }); }
