// E3: weights and gradients of a convolution. Single-channel k x k filters,
// no padding, stride 1; the gradient exports give loom's dL/dw for
// L = sum(conv(X, w) * dY), i.e. the filter gradient for upstream gradient dY.
#include <loom/loom.hpp>

using namespace loom;

constexpr long K = 3;
constexpr long Samples = 256; // independent (X, dY) pairs per call, as channels of one grouped conv

/// dw for `Samples` independent pairs at once: sample s is channel s, groups = Samples.
template <long Nn> void export_dw_sweep(const std::string &name) {
  constexpr long M = Nn - K + 1;
  export_gradient(name, [](In<"x", f32, 1, Samples, Nn, Nn> x, In<"w", f32, Samples, 1, K, K> w,
                           In<"dy", f32, 1, Samples, M, M> dy) {
    return sum(conv2d<Conv{.groups = Samples}>(x, w) * dy);
  });
}

LOOM_GENERATOR(conv_grads) {
  // a: one 8x8 image, one 3x3 filter.
  export_gradient("dw8", [](In<"x", f32, 1, 1, 8, 8> x, In<"w", f32, 1, 1, K, K> w, In<"dy", f32, 1, 1, 6, 6> dy) {
    return sum(conv2d<Conv{}>(x, w) * dy);
  });
  // b: Std(dw) against n.
  export_dw_sweep<8>("dw_n8");
  export_dw_sweep<16>("dw_n16");
  export_dw_sweep<24>("dw_n24");
  export_dw_sweep<32>("dw_n32");
  export_dw_sweep<48>("dw_n48");
  export_dw_sweep<64>("dw_n64");
  // c: pooling gradients (L = sum(pool(x) * dy)).
  export_gradient("max_pool", [](In<"x", f32, 1, 1, 6, 6> x, In<"dy", f32, 1, 1, 3, 3> dy) {
    return sum(max_pool2d<2>(x) * dy);
  });
  export_gradient("avg_pool", [](In<"x", f32, 1, 1, 6, 6> x, In<"dy", f32, 1, 1, 3, 3> dy) {
    return sum(avg_pool2d<2>(x) * dy);
  });
}
