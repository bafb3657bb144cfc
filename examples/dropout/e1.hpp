// E1's experiments on the compiled model (dropout_lr.h), shared by the
// example's main and its test so both measure the same thing.
#pragma once

#include "dropout_lr.h"

#include <array>
#include <cmath>
#include <vector>

namespace e1 {

struct W {
  double w1 = 0, w2 = 0;
};

/// (A^T S A)^+ A^T S y for rows A (two columns), weights S: the pseudo-inverse of
/// the symmetric 2x2 normal matrix from its eigen-decomposition, so a singular
/// system gives the minimum-norm solution.
inline W weighted_least_squares(const std::vector<std::array<double, 2>> &A, const std::vector<double> &y,
                                const std::vector<double> &s) {
  double a = 0, b = 0, c = 0, r1 = 0, r2 = 0; // M = [[a, b], [b, c]], r = A^T S y
  for (size_t i = 0; i < A.size(); ++i) {
    a += s[i] * A[i][0] * A[i][0], b += s[i] * A[i][0] * A[i][1], c += s[i] * A[i][1] * A[i][1];
    r1 += s[i] * A[i][0] * y[i], r2 += s[i] * A[i][1] * y[i];
  }
  double mean = (a + c) / 2, d = std::sqrt((a - c) * (a - c) / 4 + b * b);
  double lambdas[2] = {mean + d, mean - d};
  W w;
  for (double l : lambdas) {
    if (std::abs(l) <= 1e-12 * std::max(1.0, std::abs(lambdas[0]))) continue; // pseudo-inverse: drop the null space
    // Unit eigenvector of M for l.
    double v1 = b, v2 = l - a;
    if (std::abs(v1) + std::abs(v2) < 1e-300) v1 = l - c, v2 = b;
    if (std::abs(v1) + std::abs(v2) < 1e-300) v1 = (std::abs(a - l) < std::abs(c - l)), v2 = 1 - v1;
    double n = std::hypot(v1, v2);
    v1 /= n, v2 /= n;
    double coef = (v1 * r1 + v2 * r2) / l;
    w.w1 += coef * v1, w.w2 += coef * v2;
  }
  return w;
}

/// a: the minimum-norm least-squares solution for x = [10, 1], y = 11.
inline W closed_form() { return weighted_least_squares({{10, 1}}, {11}, {1}); }

/// c: dropout p = 0.5 as least squares over its four equally likely masks.
inline W dropout_least_squares() {
  return weighted_least_squares({{20, 2}, {20, 0}, {0, 2}, {0, 0}}, {11, 11, 11, 11}, {1, 1, 1, 1});
}

/// g: the minimiser of the expected dropout loss, as a function of p.
inline W analytic_dropout(double p) {
  double k = 1 / (1 - p);
  return weighted_least_squares({{10 * k, 1 * k}, {10 * k, 0}, {0, 1 * k}, {0, 0}}, {11, 11, 11, 11},
                                {(1 - p) * (1 - p), p * (1 - p), p * (1 - p), p * p});
}

struct Run {
  W w;
  std::vector<float> losses;
};

enum class Optim { sgd, adam };

/// Trains a fresh model (w = 0) for `iterations` steps with batches that repeat
/// x = [10, 1], y = 11, inverted dropout p on the inputs, learning rate lr.
template <long B> Run train(Optim optim, double p, int iterations, double lr = 1e-3, uint64_t seed = 1) {
  dropout_lr::Model m(seed);
  loom::rt::Array<float, B, 2> x;
  loom::rt::Array<float, B> y;
  loom::rt::Array<float> pv;
  for (long i = 0; i < B; ++i) x(i, 0) = 10, x(i, 1) = 1, y[i] = 11;
  pv[0] = static_cast<float>(p);
  for (int it = 0; it < iterations; ++it) {
    if constexpr (B == 1) m.sgd_b1(x, y, pv, float(lr));
    else if (optim == Optim::sgd) m.sgd_b1024(x, y, pv, float(lr));
    else m.adam_b1024(x, y, pv, float(lr));
  }
  auto w = m.params().values<float>("w");
  const char *name = B == 1 ? "sgd_b1" : optim == Optim::sgd ? "sgd_b1024" : "adam_b1024";
  return {{w[0], w[1]}, m.log().losses(name)};
}

} // namespace e1
