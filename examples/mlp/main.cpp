// Runs the compiled 784-256-10 MLP on a batch of synthetic images and prints
// the logits of the first rows, the predicted classes and the time per batch.
#include "../common/args.hpp"
#include "mlp.h"

#include <chrono>
#include <cmath>
#include <cstdio>

int main(int argc, char **argv) {
  examples::parse_args(argc, argv, "mlp", "Runs a small compiled MLP forward and train step.", ""); // --device
  mlp::Model model(/*seed=*/42);
  loom::rt::Array<float, 64, 784> x;
  for (long i = 0; i < x.numel; ++i) x[i] = 0.5f + 0.5f * std::sin(0.001f * i); // a fixed pattern in [0,1]

  auto logits = model.predict(x);
  std::printf("mlp: predict(x: f32[64,784]) -> logits: f32[64,10], parameters seeded with 42\n");
  for (long r = 0; r < 3; ++r) {
    std::printf("  row %ld:", r);
    for (long c = 0; c < 10; ++c) std::printf(" %+.4f", logits(r, c));
    std::printf("\n");
  }
  std::printf("  argmax of rows 0-15:");
  for (long r = 0; r < 16; ++r) {
    long best = 0;
    for (long c = 1; c < 10; ++c)
      if (logits(r, c) > logits(r, best)) best = c;
    std::printf(" %ld", best);
  }
  std::printf("\n");

  const int reps = 50;
  auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < reps; ++i) model.predict(x, logits);
  double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count() / reps;
  std::printf("  %.3f ms per batch of 64 (%.1f MFLOP/s)\n", ms, 2.0 * 64 * (784 * 256 + 256 * 10) / (ms * 1e3));
  return 0;
}
