// EXPECT: BatchNorm2d<16>: expects input [N,16,H,W], got [2,8,4,4]
#include <loom/loom.hpp>
using namespace loom;
LOOM_GENERATOR(g) { BatchNorm2d<16> bn{"bn"}; export_function("f", [&](In<"x", f32, 2, 8, 4, 4> x) { return bn(x); }); }
