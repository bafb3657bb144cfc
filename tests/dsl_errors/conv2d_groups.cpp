// EXPECT: conv2d: input [1,3,8,8] and filter [4,1,3,3] with groups = 2: the filter needs 3/groups input channels and groups must divide 4
#include <loom/loom.hpp>
using namespace loom;
LOOM_GENERATOR(g) {
  export_function("f", [](In<"x", f32, 1, 3, 8, 8> x, In<"w", f32, 4, 1, 3, 3> w) { return conv2d<Conv{.groups = 2}>(x, w); });
}
