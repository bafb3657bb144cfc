// EXPECT: Conv2d<1,3,7>: expects input [N,1,H,W], got [10,784]
#include <loom/loom.hpp>
using namespace loom;
LOOM_GENERATOR(g) { Conv2d<1, 3, 7> conv{"conv"}; export_function("f", [&](In<"x", f32, 10, 784> x) { return conv(x); }); }
