// EXPECT: one_hot: labels must be i32 or i64, got f32[8]
#include <loom/loom.hpp>
using namespace loom;
LOOM_GENERATOR(g) { export_function("f", [](In<"l", f32, 8> l) { return one_hot<10>(l); }); }
