// EXPECT: reduce_sum: axes [2] must be distinct, sorted and within the rank of [4,5]
#include <loom/loom.hpp>
using namespace loom;
LOOM_GENERATOR(g) { export_function("f", [](In<"a", f32, 4, 5> a) { return sum<2>(a); }); }
