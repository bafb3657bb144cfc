// EXPECT: exp: needs a floating-point tensor, got i32[4]
#include <loom/loom.hpp>
using namespace loom;
LOOM_GENERATOR(g) { export_function("f", [](In<"a", i32, 4> a) { return exp(a); }); }
