// E1: dropout on the two-feature linear regression y_hat = x . w (no bias,
// w from zero, MSE, learning rate a run-time argument). The dropout
// probability p is a run-time input too, so one binary sweeps it.
#include <loom/loom.hpp>

using namespace loom;

struct LinReg {
  Param<f32, 2> w{"w", init::zeros()};
  template <long B> Tensor<f32, B> operator()(const Tensor<f32, B, 2> &x) const { return sum<1>(x * w); }
};

/// MSE of the model on inverted-dropout inputs (p = 0: no dropout).
template <long B> auto dropout_mse(const LinReg &m) {
  return [&m](In<"x", f32, B, 2> x, In<"y", f32, B> y, In<"p", f32> p) { return mse_loss(m(dropout(x, p)), y); };
}

LOOM_GENERATOR(dropout_lr) {
  LinReg model;
  export_train_step("sgd_b1", dropout_mse<1>(model), SGD{});
  export_train_step("sgd_b1024", dropout_mse<1024>(model), SGD{});
  export_train_step("adam_b1024", dropout_mse<1024>(model), Adam{});
  export_function("predict", [&](In<"x", f32, 1, 2> x) { return out<"y">(model(x)); });
}
