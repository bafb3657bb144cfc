// Batch norm + ReLU, forward and backward (bn_relu_models.cpp), at ResNet-18's
// four activation shapes: milliseconds per call, best of 5 (outputs into the
// caller's buffers). bench/run.sh sets
// them against PyTorch's.
#include "bn_relu.h"
#include "../best_ms.hpp"

#include <loom/rt/args.hpp>

#include <cstdio>

namespace {
/// The outputs are written into the same buffers at every call, as a train
/// step's are (allocating them at each call timed their page faults too).
template <long C, long S, class Call> void time_one(const char *name, Call call) {
  loom::rt::Array<float, 64, C, S, S> x, dx;
  loom::rt::Array<float> loss;
  loom::rt::Array<float, C> dscale, dshift;
  for (long i = 0; i < x.numel; ++i) x[i] = float((i * 37) % 101) / 101.0f - 0.5f;
  double ms = best_ms(5, [&] { call(x, loss, dscale, dshift, dx); });
  std::printf("loom %s %.3f\n", name, ms);
  std::printf("(%s loss %.4f)\n", name, loss[0]);
}
} // namespace

int main(int argc, char **argv) {
  loom::rt::exit_on_uncaught_exceptions("bench_bn_relu");
  loom::rt::ArgParser args("bench_bn_relu", "Batch norm (train mode) + ReLU, forward and backward, at ResNet-18's shapes.");
  args.parse(argc, argv);
  bn_relu::Model m(1, loom::rt::Device::cpu);
  time_one<64, 32>("bn_relu_64x32", [&](auto &...o) { m.bn_relu_64x32(o...); });
  time_one<128, 16>("bn_relu_128x16", [&](auto &...o) { m.bn_relu_128x16(o...); });
  time_one<256, 8>("bn_relu_256x8", [&](auto &...o) { m.bn_relu_256x8(o...); });
  time_one<512, 4>("bn_relu_512x4", [&](auto &...o) { m.bn_relu_512x4(o...); });
  return 0;
}
