// EXPECT: add: shapes cannot be broadcast together: [64,10] and [64,3]
#include <loom/loom.hpp>
using namespace loom;
LOOM_GENERATOR(g) { export_function("f", [](In<"a", f32, 64, 10> a, In<"b", f32, 64, 3> b) { return a + b; }); }
