// Batch norm (train mode) + ReLU alone, at each activation shape of the CIFAR
// ResNet-18 at batch 64: loss = mean(relu(bn(x))) and its gradients (x, the
// scale and the shift), the forward and backward pass a train step runs for
// each of the network's batch norms. bench_bn_relu times them; bench/run.sh
// times the same in PyTorch (bench/torch_resnet.py --bn-relu).
#include <loom/loom.hpp>

using namespace loom;

template <long S, long C> void export_bn_relu(const std::string &name, const BatchNorm2d<C> &bn) {
  export_gradient(name, [&bn](In<"x", f32, 64, C, S, S> x) { return mean(relu(bn(x))); });
}

LOOM_GENERATOR(bn_relu) {
  BatchNorm2d<64> bn64{"bn64"};
  BatchNorm2d<128> bn128{"bn128"};
  BatchNorm2d<256> bn256{"bn256"};
  BatchNorm2d<512> bn512{"bn512"};
  export_bn_relu<32>("bn_relu_64x32", bn64);
  export_bn_relu<16>("bn_relu_128x16", bn128);
  export_bn_relu<8>("bn_relu_256x8", bn256);
  export_bn_relu<4>("bn_relu_512x4", bn512);
}
