// Every distinct convolution of the CIFAR ResNet-18 at batch 64 (forward,
// filter gradient, input gradient), through the runtime's micro-kernel that
// the generated code calls (loom_rt_conv2d_f32): milliseconds, best of 3.
// bench/run.sh times the same convolutions in PyTorch (bench/torch_resnet.py).
#include "resnet_convs.hpp"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

extern "C" void loom_rt_conv2d_f32(int64_t kind, float *x, float *w, float *y, int64_t N, int64_t C, int64_t H,
                                   int64_t W, int64_t O, int64_t KH, int64_t KW, int64_t OH, int64_t OW, int64_t sh,
                                   int64_t sw, int64_t dh, int64_t dw, int64_t groups, int64_t xs0, int64_t xs1,
                                   int64_t xs2, int64_t xs3, int64_t ws0, int64_t ws1, int64_t ws2, int64_t ws3,
                                   int64_t ys0, int64_t ys1, int64_t ys2, int64_t ys3);

int main(int argc, char **argv) {
  if (argc == 2 && std::string(argv[1]) == "--list") { // for bench/torch_resnet.py --convs
    for (const resnet_convs::Conv &c : resnet_convs::all)
      std::printf("%s %ld %ld %ld %ld %ld %ld\n", resnet_convs::name(c).c_str(), c.in, c.out, c.size, c.k, c.stride, c.pad);
    return 0;
  }
  if (argc != 1) {
    std::fprintf(stderr, "usage: bench_resnet_convs [--list]\n");
    return 2;
  }
  const char *kinds[] = {"fwd", "wgrad", "dgrad"};
  for (const resnet_convs::Conv &c : resnet_convs::all) {
    const long N = resnet_convs::batch, H = c.size + 2 * c.pad; // loom pads once, into its own buffer
    const long OH = (H - c.k) / c.stride + 1;
    std::vector<float> x(N * c.in * H * H, 0.5f), w(c.out * c.in * c.k * c.k, 0.25f), y(N * c.out * OH * OH, 0.125f);
    for (int kind = 0; kind < 3; ++kind) {
      auto run = [&] {
        loom_rt_conv2d_f32(kind, x.data(), w.data(), y.data(), N, c.in, H, H, c.out, c.k, c.k, OH, OH, c.stride, c.stride,
                           1, 1, 1, c.in * H * H, H * H, H, 1, c.in * c.k * c.k, c.k * c.k, c.k, 1, c.out * OH * OH,
                           OH * OH, OH, 1);
      };
      run();
      double best = 1e30;
      for (int r = 0; r < 3; ++r) {
        auto t0 = std::chrono::steady_clock::now();
        run();
        best = std::min(best, std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
      }
      std::printf("loom %s_%s %.3f %.4f\n", resnet_convs::name(c).c_str(), kinds[kind], best,
                  resnet_convs::gflop(c));
    }
  }
  return 0;
}
