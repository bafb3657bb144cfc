// EXPECT: compare gt: shapes cannot be broadcast together: [4,3] and [4]
#include <loom/loom.hpp>
using namespace loom;
LOOM_GENERATOR(g) { export_function("f", [](In<"a", f32, 4, 3> a, In<"b", f32, 4> b) { return cast<f32>(greater(a, b)); }); }
