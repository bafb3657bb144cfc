// E1's train step (batch 1024, inverted dropout p = 0.5 on the inputs, MSE,
// SGD): loom's compiled step against a straightforward C++ loop with the same
// maths (same Philox masks), timed in the same process. Prints the ratio.
#include "dropout_lr.h"

#include <chrono>
#include <loom/rt/args.hpp>
#include <cstdio>
#include <cstdlib>

namespace {

constexpr long B = 1024;

/// The hand loop: mask, forward, MSE gradient, update, fused in one pass.
struct HandLoop {
  float w[2] = {0, 0};
  float step(const float *x, const float *y, float p, float lr, int64_t step, uint64_t seed) {
    auto key = loom::rt::Philox4x32::key(seed);
    float scale = 1 / (1 - p), g0 = 0, g1 = 0, loss = 0;
    for (long i = 0; i < B; ++i) {
      float x0 = loom::rt::Philox4x32::uniform(key, 2 * i, uint32_t(step)) >= p ? x[2 * i] * scale : 0;
      float x1 = loom::rt::Philox4x32::uniform(key, 2 * i + 1, uint32_t(step)) >= p ? x[2 * i + 1] * scale : 0;
      float r = x0 * w[0] + x1 * w[1] - y[i];
      loss += r * r, g0 += r * x0, g1 += r * x1;
    }
    w[0] -= lr * 2 * g0 / B, w[1] -= lr * 2 * g1 / B;
    return loss / B;
  }
};

template <class F> double seconds(F &&f) {
  auto t0 = std::chrono::steady_clock::now();
  f();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

} // namespace

int main(int argc, char **argv) {
  loom::rt::exit_on_uncaught_exceptions("bench_e1_step");
  loom::rt::ArgParser args("bench_e1_step", "E1's regression train step against a hand-written C++ loop.");
  args.positional("steps", "10000", "train steps timed per model");
  args.parse(argc, argv);
  const int steps = int(args.integer("steps", 1));
  loom::rt::Array<float, B, 2> x;
  loom::rt::Array<float, B> y;
  loom::rt::Array<float> p;
  for (long i = 0; i < B; ++i) x(i, 0) = 10, x(i, 1) = 1, y[i] = 11;
  p[0] = 0.5f;

  double best_loom = 1e30, best_hand = 1e30;
  float w_loom[2], w_hand[2];
  for (int rep = 0; rep < 3; ++rep) { // best of 3, alternating
    dropout_lr::Model m(1);
    best_loom = std::min(best_loom, seconds([&] {
                           for (int s = 0; s < steps; ++s) m.sgd_b1024(x, y, p, 1e-3f);
                         }));
    auto w = m.params().values<float>("w");
    w_loom[0] = w[0], w_loom[1] = w[1];
    HandLoop h;
    best_hand = std::min(best_hand, seconds([&] {
                           for (int s = 0; s < steps; ++s) h.step(x.data(), y.data(), 0.5f, 1e-3f, s + 1, 1);
                         }));
    w_hand[0] = h.w[0], w_hand[1] = h.w[1];
  }
  std::printf("E1 train step, batch %ld, dropout 0.5, %d steps (best of 3)\n", B, steps);
  std::printf("  loom compiled step: %8.2f us/step   w = [%.4f, %.4f]\n", 1e6 * best_loom / steps, w_loom[0], w_loom[1]);
  std::printf("  hand-written loop:  %8.2f us/step   w = [%.4f, %.4f]\n", 1e6 * best_hand / steps, w_hand[0], w_hand[1]);
  std::printf("  ratio loom / hand:  %.2f (target: within 2x)\n", best_loom / best_hand);
  std::printf("loom e1_train_step_ms %.5f\n", 1e3 * best_loom / steps); // for bench/run.sh
  return 0;
}
