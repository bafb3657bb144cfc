// Square f32 matmuls (512, 1024, 2048) through the runtime's micro-kernel
// that generated code calls (loom_rt_matmul_f32): milliseconds, best of 3.
// bench/run.sh times torch.mm on the same sizes (bench/torch_resnet.py --matmuls).
#include "best_ms.hpp"

#include <loom/rt/args.hpp>

#include <cstdint>
#include <loom/rt/ukernels.h>
#include <cstdio>
#include <vector>


int main(int argc, char **argv) {
  loom::rt::ArgParser("bench_matmul", "loom's GEMM micro-kernel on square matrices of 512, 1024 and 2048.").parse(argc, argv);
  for (int64_t n : {512, 1024, 2048}) {
    std::vector<float> a(n * n, 0.5f), b(n * n, 0.25f), c(n * n, 0.0f);
    auto run = [&] { loom_rt_matmul_f32(a.data(), b.data(), c.data(), 1, n, n, n, 0, n, 1, 0, n, 1, 0, n, 1); };
    double best = best_ms(3, run);
    std::printf("loom matmul_%ld %.3f %.4f\n", long(n), best, 2.0 * n * n * n / 1e9);
  }
  return 0;
}
