// EXPECT: concat: shapes differ outside axis 0: [2,3] vs [4,4]
#include <loom/loom.hpp>
using namespace loom;
LOOM_GENERATOR(g) { export_function("f", [](In<"a", f32, 2, 3> a, In<"b", f32, 4, 4> b) { return concat<0>(a, b); }); }
