// What bench_edge_step and bench_gpu_step share: E4's batch of 64 images and
// labels, and the images per second of a step (warm-up, best of 3 runs).
#pragma once

#include <loom/rt/runtime.hpp>

#include <algorithm>
#include <chrono>

namespace edge_step {

struct Batch {
  loom::rt::Array<float, 64, 1, 28, 28> x;
  loom::rt::Array<int64_t, 64> y;
  Batch() {
    for (long i = 0; i < x.numel; ++i) x[i] = float((i * 37) % 101) / 101.0f;
    for (long i = 0; i < 64; ++i) y[i] = i % 3;
  }
};

/// Images per second of `step` (one batch of 64), best of 3 runs of `steps`
/// after 5 warm-up steps (the first GPU call also JIT-compiles the PTX).
template <class Step> double images_per_second(int steps, Step step) {
  for (int i = 0; i < 5; ++i) step();
  double best = 1e30;
  for (int rep = 0; rep < 3; ++rep) {
    auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < steps; ++i) step();
    best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  return 64.0 * steps / best;
}

} // namespace edge_step
