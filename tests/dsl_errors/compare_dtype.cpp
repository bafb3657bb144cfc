// EXPECT: compare gt: dtypes differ: f32[4] vs i64[4]
#include <loom/loom.hpp>
using namespace loom;
LOOM_GENERATOR(g) { export_function("f", [](In<"a", f32, 4> a, In<"b", i64, 4> b) { return cast<f32>(greater(a, b)); }); }
