// EXPECT: reduce_mean: axes [2,1] must be distinct, sorted and within the rank of [2,3,4]
#include <loom/loom.hpp>
using namespace loom;
LOOM_GENERATOR(g) { export_function("f", [](In<"x", f32, 2, 3, 4> x) { return mean<2, 1>(x); }); }
