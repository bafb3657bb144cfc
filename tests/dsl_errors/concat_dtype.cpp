// EXPECT: concat: dtypes differ: the first tensor is f32[2,3], and every other must be f32 too
#include <loom/loom.hpp>
using namespace loom;
LOOM_GENERATOR(g) { export_function("f", [](In<"a", f32, 2, 3> a, In<"b", i64, 2, 3> b) { return concat<0>(a, b); }); }
