// EXPECT: axs
// EXPECT-ALSO: argmax
// An op's attributes are the members of its descriptor, generated from LoomOps.td: a misspelt one does not compile.
#include <loom/loom.hpp>
using namespace loom;
template <class X> auto my_argmax(const X &x, LOOM_HERE) {
  return detail::record<Tensor<i64, 4>>(ops::argmax{.axs = 1}, {x.node()}, loc);
}
LOOM_GENERATOR(g) { export_function("f", [](In<"a", f32, 4, 3> a) { return my_argmax(a); }); }
