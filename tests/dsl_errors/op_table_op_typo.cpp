// EXPECT: argmaks
// EXPECT-ALSO: loom::ops
// An op is named by its descriptor, generated from LoomOps.td, not by a string: a misspelt one does not compile.
#include <loom/loom.hpp>
using namespace loom;
template <class X> auto my_argmax(const X &x, LOOM_HERE) {
  return detail::record<Tensor<i64, 4>>(ops::argmaks{.axis = 1}, {x.node()}, loc);
}
LOOM_GENERATOR(g) { export_function("f", [](In<"a", f32, 4, 3> a) { return my_argmax(a); }); }
