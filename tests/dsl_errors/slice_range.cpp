// EXPECT: slice: 2:9:1 on axis 1 lies outside [4,8]
#include <loom/loom.hpp>
using namespace loom;
LOOM_GENERATOR(g) { export_function("f", [](In<"a", f32, 4, 8> a) { return slice<1, 2, 9>(a); }); }
