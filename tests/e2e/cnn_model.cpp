// Pooling and batch norm (compositions of loom ops), and conv2d's gradient
// through the CPU micro-kernels: forward exports checked against plain C++
// (cnn_test.cpp), gradients against finite differences or a double-precision
// reference. conv2d's own cases are rows of the op table (op_rows.hpp).
#include <loom/loom.hpp>

using namespace loom;

using X = In<"x", f32, 2, 4, 9, 9>;
using XW = In<"x", f32, 2, 32, 9, 9>;

template <long... D> auto weigh(const Tensor<f32, D...> &y, const Tensor<f32, D...> &c) { return sum(y * c); }

LOOM_GENERATOR(cnn) {
  export_function("pools", [](X x) {
    return std::tuple{out<"max">(max_pool2d<2>(x)), out<"avg">(avg_pool2d<3>(x)), out<"global">(global_avg_pool(x)),
                      out<"adaptive">(adaptive_avg_pool2d<3>(x)), out<"max_s2p1">(max_pool2d<3, 2, 1>(x)),
                      out<"max_s1">(max_pool2d<2, 1>(x))};
  });

  // Gradients.
  // Wide enough for the CPU's micro-kernels (-loom-cpu-ukernels: 16+ channels) and Winograd's forms
  // (32+ and 2048+ channel pairs: the filter gradient and the input gradient's forward form).
  export_gradient("g_conv_wide", [](XW x, In<"w", f32, 64, 32, 3, 3> w, In<"c", f32, 2, 64, 9, 9> c) {
    // tanh's backward (elementwise) produces dy: it must not be fused into the gradients' contractions.
    return weigh(tanh(conv2d<Conv{.padding = 1}>(x, w)), c);
  });
  export_gradient("g_max_pool", [](X x, In<"c", f32, 2, 4, 4, 4> c) { return weigh(max_pool2d<2>(x), c); });
  export_gradient("g_max_pool_s2p1", [](X x, In<"c", f32, 2, 4, 5, 5> c) { return weigh(max_pool2d<3, 2, 1>(x), c); });
  export_gradient("g_avg_pool", [](X x, In<"c", f32, 2, 4, 3, 3> c) { return weigh(avg_pool2d<3>(x), c); });
  export_gradient("g_global", [](X x, In<"c", f32, 2, 4> c) { return weigh(global_avg_pool(x), c); });
  // 9 -> 4: PyTorch's overlapping windows [0,3) [2,5) [4,7) [6,9).
  export_gradient("g_adaptive", [](X x, In<"c", f32, 2, 4, 4, 4> c) { return weigh(adaptive_avg_pool2d<4>(x), c); });

  // Batch norm: the gradient through batch statistics, and running statistics.
  BatchNorm2d<4> bn{"bn"};
  export_gradient("g_batch_norm", [&](X x, In<"c", f32, 2, 4, 9, 9> c) { return weigh(bn(x), c); });
  export_train_step("bn_train", [&](X x, In<"c", f32, 2, 4, 9, 9> c) {
    auto y = bn(x);
    return std::tuple{out<"loss">(weigh(y, c)), out<"y">(y)};
  }, SGD{});
  export_function("bn_eval", [&](X x) { return out<"y">(bn(x)); });
}
