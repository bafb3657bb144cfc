// The two-feature linear regression of the dropout homework (E1): y_hat = x . w,
// w in R^2, no bias, w initialised to zero.
#include <loom/loom.hpp>

using namespace loom;

struct LinReg {
  Param<f32, 2> w{"w", init::zeros()};

  template <long B> auto operator()(const Tensor<f32, B, 2> &x) const {
    return sum<1>(x * w); // [B,2] * [2] broadcasts; sum over features -> [B]
  }
};

LOOM_GENERATOR(linreg) {
  LinReg model;
  export_function("predict", [&](In<"x", f32, 4, 2> x) { return out<"y">(model(x)); });
}
