// EXPECT: argmax: axis 2 of f32[4,5]
#include <loom/loom.hpp>
using namespace loom;
LOOM_GENERATOR(g) { export_function("f", [](In<"x", f32, 4, 5> x) { return argmax<2>(x); }); }
