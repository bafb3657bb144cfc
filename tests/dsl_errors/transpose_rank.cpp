// EXPECT: transpose: needs at least 2 axes, got [5]
#include <loom/loom.hpp>
using namespace loom;
LOOM_GENERATOR(g) { export_function("f", [](In<"a", f32, 5> a) { return transpose(a); }); }
