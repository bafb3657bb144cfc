// EXPECT: adaptive_avg_pool2d<8>: output larger than the input [1,3,4,4]
#include <loom/loom.hpp>
using namespace loom;
LOOM_GENERATOR(g) { export_function("f", [](In<"x", f32, 1, 3, 4, 4> x) { return adaptive_avg_pool2d<8>(x); }); }
