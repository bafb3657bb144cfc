// The distinct convolutions of the CIFAR ResNet-18 (torchvision's blocks,
// 3x3 stem) at batch 64: bench_resnet_convs and bench/torch_resnet.py
// (which reads `bench_resnet_convs --list`) time the same list.
#pragma once

#include <string>

namespace resnet_convs {

struct Conv {
  long in, out, size, k, stride, pad; // input channels, output channels, input height = width, kernel, stride, padding
};

inline constexpr long batch = 64;
inline constexpr Conv all[] = {
    {3, 64, 32, 3, 1, 1},                                               // stem
    {64, 64, 32, 3, 1, 1},                                              // layer1
    {64, 128, 32, 3, 2, 1},  {128, 128, 16, 3, 1, 1}, {64, 128, 32, 1, 2, 0},  // layer2 (3x3 s2, 3x3, downsample)
    {128, 256, 16, 3, 2, 1}, {256, 256, 8, 3, 1, 1},  {128, 256, 16, 1, 2, 0}, // layer3
    {256, 512, 8, 3, 2, 1},  {512, 512, 4, 3, 1, 1},  {256, 512, 8, 1, 2, 0},  // layer4
};

inline std::string name(const Conv &c) {
  return "conv_" + std::to_string(c.in) + "_" + std::to_string(c.out) + "_" + std::to_string(c.size) + "_k" +
         std::to_string(c.k) + "s" + std::to_string(c.stride);
}

/// GFLOP of one pass (each of forward, filter and input gradient is the same count).
inline double gflop(const Conv &c) {
  long oh = (c.size + 2 * c.pad - c.k) / c.stride + 1;
  return 2.0 * batch * c.out * oh * oh * c.in * c.k * c.k / 1e9;
}

} // namespace resnet_convs
