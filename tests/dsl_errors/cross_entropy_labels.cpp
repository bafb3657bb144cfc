// EXPECT: cross_entropy: expects logits f32[B,C] and i32 or i64 labels [B], got f32[8,10] and i64[4]
#include <loom/loom.hpp>
using namespace loom;
LOOM_GENERATOR(g) { export_function("f", [](In<"x", f32, 8, 10> x, In<"y", i64, 4> y) { return cross_entropy(x, y); }); }
