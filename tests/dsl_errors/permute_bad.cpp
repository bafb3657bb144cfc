// EXPECT: permute: [0,0,1] is not a permutation of the axes of [2,3,4]
#include <loom/loom.hpp>
using namespace loom;
LOOM_GENERATOR(g) { export_function("f", [](In<"a", f32, 2, 3, 4> a) { return permute<0, 0, 1>(a); }); }
