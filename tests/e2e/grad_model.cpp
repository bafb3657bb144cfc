// One gradient export per differentiable op that is not elementwise (those are
// in op_table_model.cpp, from one table), and for fan-out, broadcasting,
// reductions, losses, dropout: grad_test.cpp checks each against central
// finite differences of the same export's loss.
#include <loom/loom.hpp>

using namespace loom;

using X = In<"x", f32, 3, 4>;
using C = In<"c", f32, 3, 4>; // a fixed cotangent: loss = sum(op(x) * c)

template <long... D> auto weigh(const Tensor<f32, D...> &y, const Tensor<f32, D...> &c) { return sum(y * c); }

LOOM_GENERATOR(grads) {
  // Each elementwise op's own gradient is checked from the op table (op_rows.hpp); here the DSL's compositions.
  export_gradient("g_scalars", [](X x, C c) { return weigh((2.0f - x) * 3.0f / 4.0f, c); });
  // Fan-out: x used three times.
  export_gradient("g_fanout", [](X x, C c) { return weigh(x * x + exp(x) * x, c); });
  // Shapes.
  export_gradient("g_matmul", [](X x, In<"w", f32, 4, 2> w, In<"c", f32, 3, 2> c) { return weigh(matmul(x, w), c); });
  export_gradient("g_bmm", [](In<"a", f32, 2, 3, 4> a, In<"b", f32, 2, 4, 2> b, In<"c", f32, 2, 3, 2> c) {
    return weigh(matmul(a, b), c);
  });
  export_gradient("g_transpose", [](X x, In<"c", f32, 4, 3> c) { return weigh(transpose(x), c); });
  export_gradient("g_permute", [](In<"x", f32, 2, 3, 4> x, In<"c", f32, 4, 2, 3> c) { return weigh(permute<2, 0, 1>(x), c); });
  export_gradient("g_reshape", [](X x, In<"c", f32, 2, 6> c) { return weigh(reshape<2, 6>(x), c); });
  export_gradient("g_broadcast", [](In<"x", f32, 3, 1> x, C c) { return weigh(broadcast_to<3, 4>(x), c); });
  export_gradient("g_concat", [](X x, In<"b", f32, 3, 2> b, In<"c", f32, 3, 6> c) { return weigh(concat<1>(x, b), c); });
  export_gradient("g_pad_reflect", [](In<"x", f32, 1, 2, 4, 5> x, In<"c", f32, 1, 2, 10, 11> c) {
    return weigh(pad2d<3, Pad::reflect>(x), c);
  });
  export_gradient("g_pad_zeros", [](In<"x", f32, 1, 2, 4, 5> x, In<"c", f32, 1, 2, 6, 7> c) {
    return weigh(pad2d<1>(x), c);
  });
  export_gradient("g_slice", [](X x, In<"c", f32, 3, 2> c) { return weigh(slice<1, 1, 4, 2>(x), c); });
  // Reductions.
  export_gradient("g_sum", [](X x, In<"c", f32, 3> c) { return weigh(sum<1>(x), c); });
  export_gradient("g_mean", [](X x, In<"c", f32, 4> c) { return weigh(mean<0>(x), c); });
  export_gradient("g_max", [](X x, In<"c", f32, 3> c) { return weigh(max<1>(x), c); });
  // Masks and stop_gradient.
  export_gradient("g_where", [](X x, C c) { return weigh(where(greater(x, 0.0f), x * x, -x), c); });
  export_gradient("g_stop", [](X x, C c) { return weigh(x * stop_gradient(x), c); });
  // Losses.
  export_gradient("g_mse", [](X x, In<"t", f32, 3, 4> t) { return mse_loss(x, t); });
  export_gradient("g_log_softmax", [](X x, C c) { return weigh(log_softmax(x), c); });
  export_gradient("g_cross_entropy", [](X x, In<"labels", i64, 3> l) { return cross_entropy(x, l); });
  // Dropout: the mask is fixed by (seed, step), so the loss is differentiable in x.
  export_gradient("g_dropout", [](X x, C c) { return weigh(dropout(x, 0.5), c); });
  // A parameter and a frozen parameter: only the first gets a gradient.
  Param<f32, 4> w{"w", init::uniform(-1, 1)};
  Param<f32, 4> frozen{"frozen", init::uniform(-1, 1)};
  frozen.freeze();
  export_gradient("g_param", [&](X x, C c) { return weigh(x * w + frozen, c); });
}
