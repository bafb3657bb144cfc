// The NaN guard: built with CHECK_NUMERICS as `numerics`, and without as
// `numerics_plain` (LOOM_NUMERICS_NAME), so the test can compare the two.
// numerics_test.cpp finds the lines of the ops it expects in messages by the
// "site:" comments.
#include <loom/loom.hpp>

using namespace loom;

struct Net {
  Linear<3, 2> fc{"fc"};
  Param<f32, 3> scale{"scale", init::ones()};
};

#ifndef LOOM_NUMERICS_NAME
#define LOOM_NUMERICS_NAME numerics
#endif
// LOOM_GENERATOR pastes its argument: expand the name first.
#define NUMERICS_GENERATOR(NAME) LOOM_GENERATOR(NAME)

NUMERICS_GENERATOR(LOOM_NUMERICS_NAME) {
  Net m;
  // NaN in the forward pass where x < 0.
  export_train_step("sgd", [&](In<"x", f32, 4, 3> x, In<"labels", i64, 4> labels) {
    auto h = log(x); // site: log
    return out<"loss">(cross_entropy(m.fc(h), labels));
  }, SGD{.momentum = 0.9});
  // Finite forward, Inf in the backward pass where x * scale == 0 (d sqrt(u)/du = 1/(2 sqrt(u))).
  export_train_step("root", [&](In<"x", f32, 4, 3> x) {
    return out<"loss">(sum(sqrt(x * m.scale))); // site: sqrt
  }, SGD{});
  export_function("predict", [&](In<"x", f32, 4, 3> x) { return out<"y">(log(x)); }); // site: predict
}
