// Every distinct convolution of the CIFAR ResNet-18 at batch 64 (forward,
// filter gradient, input gradient), through the runtime's micro-kernel that
// the generated code calls (loom_rt_conv2d_f32, told the padding's border and
// to overwrite its output, as generated code tells it): milliseconds, best of 3, and the GFLOP of every
// tap (the padding's included, as PyTorch's rows are counted).
// bench/run.sh times the same convolutions in PyTorch (bench/torch_resnet.py).
#include "resnet_convs.hpp"
#include "../best_ms.hpp"

#include <loom/rt/args.hpp>

#include <cstdint>
#include <loom/rt/ukernels.h>
#include <cstdio>
#include <string>
#include <vector>


int main(int argc, char **argv) {
  loom::rt::ArgParser args("bench_resnet_convs", "ResNet-18's convolutions one by one: forward, filter and input gradient.");
  args.flag("list", "print the convolutions' shapes (for bench/torch_resnet.py --convs) and exit");
  args.option("only", "", "time only the rows whose name contains this");
  args.option("runs", "3", "timed calls per row (the best is printed)");
  args.parse(argc, argv);
  const std::string only = args.get("only");
  const int runs = int(args.integer("runs", 1));
  if (args.has("list")) {
    for (const resnet_convs::Conv &c : resnet_convs::all)
      std::printf("%s %ld %ld %ld %ld %ld %ld\n", resnet_convs::name(c).c_str(), c.in, c.out, c.size, c.k, c.stride, c.pad);
    return 0;
  }
  const char *kinds[] = {"fwd", "wgrad", "dgrad"};
  for (const resnet_convs::Conv &c : resnet_convs::all) {
    const long N = resnet_convs::batch, H = c.size + 2 * c.pad; // loom pads once, into its own buffer
    const long OH = (H - c.k) / c.stride + 1;
    // The input gradient reads dy spread out by the stride and padded by k - 1, as generated code has it (kind 3).
    const long P = H + c.k - 1;
    std::vector<float> x(N * c.in * H * H, 0.5f), w(c.out * c.in * c.k * c.k, 0.25f), y(N * c.out * OH * OH, 0.125f),
        dyp(N * c.out * P * P, 0.0f);
    for (long no = 0; no < N * c.out; ++no)
      for (long i = 0; i < OH; ++i)
        for (long j = 0; j < OH; ++j) dyp[(no * P + c.k - 1 + i * c.stride) * P + c.k - 1 + j * c.stride] = 0.125f;
    for (int kind = 0; kind < 3; ++kind) {
      const std::string row = resnet_convs::name(c) + "_" + kinds[kind];
      if (row.find(only) == std::string::npos) continue;
      auto run = [&] {
        if (kind == 2)
          loom_rt_conv2d_f32(3 | LOOM_RT_CONV_OVERWRITE, x.data(), w.data(), dyp.data(), N, c.in, H, H, c.out, c.k, c.k, OH, OH, c.stride,
                             c.stride, 1, 1, 1, c.in * H * H, H * H, H, 1, c.in * c.k * c.k, c.k * c.k, c.k, 1,
                             c.out * P * P, P * P, P, 1, c.pad, c.pad, c.pad, c.pad);
        else
          loom_rt_conv2d_f32(kind | LOOM_RT_CONV_OVERWRITE, x.data(), w.data(), y.data(), N, c.in, H, H, c.out, c.k, c.k, OH, OH, c.stride,
                             c.stride, 1, 1, 1, c.in * H * H, H * H, H, 1, c.in * c.k * c.k, c.k * c.k, c.k, 1,
                             c.out * OH * OH, OH * OH, OH, 1, c.pad, c.pad, c.pad, c.pad);
      };
      std::printf("loom %s %.3f %.4f\n", row.c_str(), best_ms(runs, run), resnet_convs::gflop(c));
    }
  }
  return 0;
}
