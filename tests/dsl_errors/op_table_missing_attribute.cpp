// EXPECT: required_i64
// An attribute LoomOps.td declares has no default in the op's descriptor: leaving it out does not compile.
#include <loom/loom.hpp>
using namespace loom;
template <class X> auto my_argmax(const X &x, LOOM_HERE) {
  return detail::record<Tensor<i64, 4>>(ops::argmax{}, {x.node()}, loc);
}
LOOM_GENERATOR(g) { export_function("f", [](In<"a", f32, 4, 3> a) { return my_argmax(a); }); }
