#include <loom/loom.hpp>
using namespace loom;

LOOM_GENERATOR(scorer) {
  Param<f32, 3, 2> w{"w", init::constant(0.5)};
  export_function("score", [&](In<"x", f32, 4, 3> x) { return out<"p">(sigmoid(matmul(x, w))); });
}
