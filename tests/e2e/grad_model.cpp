// Gradients of what the op table (op_rows.hpp) does not cover: scalar
// operands, fan-out, ties of reduce_max, stop_gradient, the losses, dropout,
// parameters: grad_test.cpp checks each against central finite differences of
// the same export's loss, or against what it must be.
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
  // Each op's own gradient is in the op table; reduce_max's on ties is here (grad_test.cpp).
  export_gradient("g_max", [](X x, In<"c", f32, 3> c) { return weigh(max<1>(x), c); });
  // stop_gradient.
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
