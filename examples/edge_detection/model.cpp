// E4: the inductive bias of CNNs on edge detection. The small CNN and the MLP
// exactly as the homework specifies, in the variants the six questions need,
// each with train steps (SGD lr run-time, momentum 0.9, cross-entropy) and a
// forward export for evaluation.
#include "nets.hpp"

using namespace loom;
using namespace e4nets;

/// Train steps at the batch sizes the questions use, and evaluation at batch 50.
template <long Classes, class Net> void export_model(const std::string &name, Net &net) {
  auto step = [&]<long B>() {
    return [&net](In<"x", f32, B, 1, 28, 28> x, In<"labels", i64, B> labels) {
      auto logits = net(x);
      return std::tuple{out<"loss">(cross_entropy(logits, labels)), out<"accuracy">(accuracy(logits, labels))};
    };
  };
  export_train_step(name + "_train10", step.template operator()<10>(), SGD{.momentum = 0.9});
  export_train_step(name + "_train30", step.template operator()<30>(), SGD{.momentum = 0.9});
  export_function(name + "_predict", [&net](In<"x", f32, 50, 1, 28, 28> x) { return out<"logits">(net(x)); });
}

LOOM_GENERATOR(edges) {
  SimpleCNN<3> cnn{"cnn"};
  MLP<3> mlp{"mlp"};
  export_model<3>("cnn", cnn);
  export_model<3>("mlp", mlp);

  // Q2: the CNN with its convolutions set to edge detectors and frozen.
  SimpleCNN<3> edge{"edge"};
  edge.conv1.weight.freeze(), edge.conv1.bias.freeze(), edge.conv2.weight.freeze(), edge.conv2.bias.freeze();
  export_model<3>("edge", edge);

  // Q5: a larger kernel on permuted pixels.
  SimpleCNN<3, 11> big{"big"};
  export_model<3>("big", big);

  // Q6: five classes, max against average pooling.
  SimpleCNN<5, 7, Pool::max> cnn5max{"cnn5max"};
  SimpleCNN<5, 7, Pool::avg> cnn5avg{"cnn5avg"};
  export_model<5>("cnn5max", cnn5max);
  export_model<5>("cnn5avg", cnn5avg);
}
