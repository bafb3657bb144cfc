// EXPECT: broadcast_to: cannot broadcast [3] to [4,2]
#include <loom/loom.hpp>
using namespace loom;
LOOM_GENERATOR(g) { export_function("f", [](In<"a", f32, 3> a) { return broadcast_to<4, 2>(a); }); }
