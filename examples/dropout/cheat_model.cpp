// E1 i: dropout against a "cheating feature". The homework's ConvNet
// (convnet.hpp); NLL loss, SGD lr 3e-3, batch 64.
// The dropout probability is a run-time input, so one binary trains p = 0 and 0.75.
#include "convnet.hpp"

using namespace loom;
using examples::ConvNet;

template <long C, long S> void export_net(const std::string &prefix, ConvNet<C, S> &net) {
  export_train_step(prefix + "train", [&](In<"x", f32, 64, C, S, S> x, In<"labels", i64, 64> labels, In<"p", f32> p) {
    return nll_loss(net(x, p), labels);
  }, SGD{});
  export_function(prefix + "predict", [&](In<"x", f32, 100, C, S, S> x) { return out<"logp">(net(x, full<f32>(0.0))); });
}

LOOM_GENERATOR(cheat) {
  ConvNet<1, 28> fashion{"fashion"};
  ConvNet<3, 32> cifar{"cifar"};
  export_net("", fashion);
  export_net("cifar_", cifar);
}
