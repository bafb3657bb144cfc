// What bench_edge_step and bench_gpu_step share: E4's batch of 64 images and
// labels, the training steps they time (with their learning rates and
// E1 i's dropout), and the images per second of a step (warm-up, best of 3 runs).
#pragma once

#include "cheat.h"
#include "edge_bench.h"

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

/// E4's CNN and MLP, LeNet-5 and E1 i's ConvNet (dropout 0.5), with their models on one device.
struct Nets {
  edge_bench::Model edges;
  cheat::Model e1;
  loom::rt::Array<float> p; // E1 i's dropout probability, a run-time input
  explicit Nets(loom::rt::Device d) : edges(1, d), e1(1, d) { p[0] = 0.5f; }
  void cnn(Batch &b) { edges.cnn_train(b.x, b.y, 1e-3f); }
  void mlp(Batch &b) { edges.mlp_train(b.x, b.y, 1e-3f); }
  void lenet(Batch &b) { edges.lenet_train(b.x, b.y, 1e-3f); }
  void convnet(Batch &b) { e1.train(b.x, b.y, p, 3e-3f); }
};

/// The ConvNet's CPU step takes ~30x an E4 CNN step: time fewer of them.
inline int convnet_cpu_steps(int steps) { return std::max(1, steps / 10); }

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
