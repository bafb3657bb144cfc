// Helpers of the end-to-end numeric tests: deterministic inputs, and central
// finite differences against a compiled gradient.
#pragma once

#include <doctest/doctest.h>

#include <cmath>
#include <string>

namespace fd {

/// Values in [lo, hi), all different, none within 0.05 of zero (kinks of relu and where).
template <class A> A values(float lo, float hi, int salt = 0) {
  A a;
  for (long i = 0; i < a.numel; ++i) {
    float v = lo + (hi - lo) * std::fmod(0.618034f * (i + 1) + 0.137f * salt, 1.0f);
    a[i] = std::abs(v) < 0.05f ? v + 0.1f : v;
  }
  return a;
}

/// Central differences of loss() in every element of x against the compiled gradient.
template <class A, class G, class F> void check(const std::string &what, A &x, const G &grad, F loss, double tol = 2e-3) {
  const float eps = 1e-2f;
  double worst = 0;
  for (long i = 0; i < x.numel; ++i) {
    float saved = x[i];
    x[i] = saved + eps;
    double up = loss();
    x[i] = saved - eps;
    double down = loss();
    x[i] = saved;
    double numeric = (up - down) / (double(saved + eps) - double(saved - eps));
    worst = std::max(worst, std::abs(numeric - grad[i]) / std::max(1.0, std::abs(numeric)));
  }
  MESSAGE(what << ": max error " << worst << " over " << x.numel << " elements");
  CHECK_MESSAGE(worst < tol, what);
}

} // namespace fd
