// EXPECT: mse_loss: prediction f32[4,1] and target f32[4] must be f32 of one shape
#include <loom/loom.hpp>
using namespace loom;
LOOM_GENERATOR(g) { export_function("f", [](In<"p", f32, 4, 1> p, In<"t", f32, 4> t) { return mse_loss(p, t); }); }
