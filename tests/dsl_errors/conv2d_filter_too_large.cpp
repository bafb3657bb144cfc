// EXPECT: conv2d: filter [4,1,9,9] (dilation 1) does not fit input [2,1,6,6] padded by 0
#include <loom/loom.hpp>
using namespace loom;
LOOM_GENERATOR(g) {
  export_function("f", [](In<"x", f32, 2, 1, 6, 6> x, In<"w", f32, 4, 1, 9, 9> w) { return conv2d<Conv{}>(x, w); });
}
