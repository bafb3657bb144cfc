// Data-parallel train steps (DataParallel{}) at batch 4, each beside its
// one-process twin at batch 8: two processes on half batches must end where
// one process on the combined batches does (data_parallel_test.cpp). No batch
// norm: its batch statistics are per process, so it would differ by design.
#include <loom/loom.hpp>

using namespace loom;

struct Net {
  Conv2d<1, 8, 3, Conv{.padding = 1}> conv{"conv"};
  Linear<8 * 4 * 4, 10> fc{"fc"};
  template <long B> auto operator()(const Tensor<f32, B, 1, 8, 8> &x) const {
    return log_softmax(fc(flatten(relu(max_pool2d<2>(conv(x))))));
  }
};

LOOM_GENERATOR(dp_twins) {
  Net net;
  auto step = [&]<long B>() {
    return [&](In<"x", f32, B, 1, 8, 8> x, In<"labels", i64, B> labels) { return nll_loss(net(x), labels); };
  };
  export_train_step("momentum_dp", step.template operator()<4>(), SGD{.momentum = 0.9, .weight_decay = 1e-3}, DataParallel{});
  export_train_step("momentum_one", step.template operator()<8>(), SGD{.momentum = 0.9, .weight_decay = 1e-3});
  export_train_step("adam_dp", step.template operator()<4>(), Adam{}, DataParallel{});
  export_train_step("adam_one", step.template operator()<8>(), Adam{});
}
