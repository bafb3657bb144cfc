// Without C++26 messages: the literal names the op, the note carries the shapes.
// EXPECT: loom: matmul: inner dimensions differ
// EXPECT-ALSO: loom::matmul<loom::f32, 64L, 784L, loom::f32, 256L, 10L>
#include <loom/loom.hpp>
using namespace loom;
LOOM_GENERATOR(g) { export_function("f", [](In<"a", f32, 64, 784> a, In<"b", f32, 256, 10> b) { return matmul(a, b); }); }
