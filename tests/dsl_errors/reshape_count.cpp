// EXPECT: reshape: element count differs: [64,784] (50176 elements) to [64,785]
#include <loom/loom.hpp>
using namespace loom;
LOOM_GENERATOR(g) { export_function("f", [](In<"a", f32, 64, 784> a) { return reshape<64, 785>(a); }); }
