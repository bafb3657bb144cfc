// Train steps with each optimizer on one small softmax regression; the test
// replays PyTorch's update rules in double precision on the compiled gradients.
#include <loom/loom.hpp>

using namespace loom;

struct Softmax {
  Linear<3, 4> fc{"fc"};
  Param<f32, 4> offset{"offset", init::constant(0.25)};
};

LOOM_GENERATOR(train) {
  Softmax m;
  m.offset.freeze();
  auto loss = [&](In<"x", f32, 5, 3> x, In<"labels", i64, 5> labels) {
    auto logits = m.fc(x) + m.offset;
    return std::tuple{out<"loss">(cross_entropy(logits, labels)), out<"accuracy">(accuracy(logits, labels))};
  };
  export_train_step("sgd", loss, SGD{});
  export_train_step("momentum", loss, SGD{.momentum = 0.9, .dampening = 0.1, .weight_decay = 0.01});
  export_train_step("nesterov", loss, SGD{.momentum = 0.9, .weight_decay = 0.01, .nesterov = true});
  export_train_step("adam", loss, Adam{.weight_decay = 0.01});
  export_train_step("adamw", loss, AdamW{.beta1 = 0.8, .eps = 1e-6});
  // Philox parity: the compiled generator against loom::rt::Philox4x32.
  export_gradient("noise", [&](In<"x", f32, 7, 5> x) {
    auto u = rand_like(x);
    return std::tuple{out<"loss">(sum(x * u)), out<"u">(u)};
  });
  export_function("predict", [&](In<"x", f32, 5, 3> x) { return out<"logits">(m.fc(x) + m.offset); });
}
