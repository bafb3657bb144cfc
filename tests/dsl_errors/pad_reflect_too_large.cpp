// EXPECT: pad2d: reflect padding 5 needs an input larger than that, got [2,1,4,4]
#include <loom/loom.hpp>
using namespace loom;
LOOM_GENERATOR(g) { export_function("f", [](In<"x", f32, 2, 1, 4, 4> x) { return pad2d<5, Pad::reflect>(x); }); }
