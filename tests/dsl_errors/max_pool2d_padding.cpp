// EXPECT: max_pool2d<3,2,2>: window 3 stride 2 padding 2 on input [1,1,8,8] (padding at most 1)
#include <loom/loom.hpp>
using namespace loom;
LOOM_GENERATOR(g) { export_function("f", [](In<"x", f32, 1, 1, 8, 8> x) { return max_pool2d<3, 2, 2>(x); }); }
