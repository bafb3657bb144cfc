// EXPECT: concat: axis 3 out of range for [2,3]
#include <loom/loom.hpp>
using namespace loom;
LOOM_GENERATOR(g) { export_function("f", [](In<"a", f32, 2, 3> a, In<"b", f32, 2, 3> b) { return concat<3>(a, b); }); }
