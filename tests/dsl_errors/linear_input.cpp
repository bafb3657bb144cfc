// EXPECT: Linear<784,256>: expects input [B,784], got [10,3,28,28]
#include <loom/loom.hpp>
using namespace loom;
LOOM_GENERATOR(g) { Linear<784, 256> fc{"fc"}; export_function("f", [&](In<"x", f32, 10, 3, 28, 28> x) { return fc(x); }); }
