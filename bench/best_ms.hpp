// The timing rule of loom's benchmark binaries: one warm-up call (first
// touches, thread start-up), then the best of `runs` calls, in milliseconds.
#pragma once

#include <algorithm>
#include <chrono>

template <class F> double best_ms(int runs, F f) {
  f();
  double best = 1e30;
  for (int i = 0; i < runs; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    f();
    best = std::min(best, std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  }
  return best;
}
