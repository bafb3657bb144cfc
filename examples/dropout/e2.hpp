// E2's experiments on the compiled model (tikhonov.h), shared by the example and its test.
#pragma once

#include "tikhonov.h"

#include <cmath>
#include <vector>

namespace e2 {

constexpr int N = 20, D = 5, K = 256;
using Vec = std::vector<double>;
using Mat = std::vector<Vec>; // rows

/// Fixed random problem: X, y and a w to evaluate the identity at.
struct Problem {
  loom::rt::Array<float, N, D> X;
  loom::rt::Array<float, N> y;
  loom::rt::Array<float, D> w;
  explicit Problem(uint64_t seed = 2024) {
    auto key = loom::rt::Philox4x32::key(seed);
    auto gauss = [&](uint64_t i) {
      double u1 = 1.0 - loom::rt::Philox4x32::uniform(key, 2 * i), u2 = loom::rt::Philox4x32::uniform(key, 2 * i + 1);
      return std::sqrt(-2 * std::log(u1)) * std::cos(2 * M_PI * u2);
    };
    uint64_t k = 0;
    for (long i = 0; i < X.numel; ++i) X[i] = float(gauss(k++) * (1 + (i % D))); // columns of different norms
    for (long i = 0; i < y.numel; ++i) y[i] = float(gauss(k++));
    for (long i = 0; i < w.numel; ++i) w[i] = float(gauss(k++) * 0.3);
  }
  double col_norm2(int j) const {
    double s = 0;
    for (int i = 0; i < N; ++i) s += double(X(i, j)) * X(i, j);
    return s;
  }
};

/// Right side of the identity: ||y - pXw||^2 + p(1-p) ||G w||^2.
inline double rhs(const Problem &P, double p) {
  double fit = 0, reg = 0;
  for (int i = 0; i < N; ++i) {
    double r = P.y[i];
    for (int j = 0; j < D; ++j) r -= p * P.X(i, j) * P.w[j];
    fit += r * r;
  }
  for (int j = 0; j < D; ++j) reg += P.col_norm2(j) * double(P.w[j]) * P.w[j];
  return fit + p * (1 - p) * reg;
}

/// Solves A x = b (A square, well conditioned here) by Gaussian elimination with pivoting.
inline Vec solve(Mat A, Vec b) {
  int n = int(b.size());
  for (int c = 0; c < n; ++c) {
    int piv = c;
    for (int r = c + 1; r < n; ++r)
      if (std::abs(A[r][c]) > std::abs(A[piv][c])) piv = r;
    std::swap(A[c], A[piv]), std::swap(b[c], b[piv]);
    for (int r = c + 1; r < n; ++r) {
      double f = A[r][c] / A[c][c];
      for (int k = c; k < n; ++k) A[r][k] -= f * A[c][k];
      b[r] -= f * b[c];
    }
  }
  Vec x(n);
  for (int r = n - 1; r >= 0; --r) {
    double s = b[r];
    for (int k = r + 1; k < n; ++k) s -= A[r][k] * x[k];
    x[r] = s / A[r][r];
  }
  return x;
}

/// argmin ||y - X w||^2 + lambda ||G w||^2 with G^2 = diag(col_scale * column norms^2).
inline Vec generalized_ridge(const Problem &P, double lambda, bool equalize_columns = false) {
  Mat A(D, Vec(D, 0));
  Vec b(D, 0);
  for (int j = 0; j < D; ++j) {
    for (int k = 0; k < D; ++k)
      for (int i = 0; i < N; ++i) A[j][k] += double(P.X(i, j)) * P.X(i, k);
    for (int i = 0; i < N; ++i) b[j] += double(P.X(i, j)) * P.y[i];
    A[j][j] += lambda * (equalize_columns ? 1.0 : P.col_norm2(j));
  }
  return solve(A, b);
}

struct McRow {
  long samples;
  double estimate, rhs, std_error;
};

/// Running Monte-Carlo estimate of the left side, K masks a call, reported at each of `checkpoints`.
inline std::vector<McRow> monte_carlo(tikhonov::Model &m, const Problem &P, double p, std::vector<long> checkpoints) {
  loom::rt::Array<float> keep;
  keep[0] = float(p);
  std::vector<McRow> rows;
  double sum = 0, sq = 0;
  long samples = 0;
  int64_t step = 0;
  for (long target : checkpoints) {
    while (samples < target) {
      auto r = m.mc(P.X, P.y, P.w, keep, ++step);
      for (float l : r.per_mask.span()) sum += l, sq += double(l) * l;
      samples += K;
    }
    double mean = sum / samples, var = std::max(0.0, sq / samples - mean * mean);
    rows.push_back({samples, mean, rhs(P, p), std::sqrt(var / samples)});
  }
  return rows;
}

/// Trains w under the dropout (SGD, decaying learning rate) and returns it.
inline Vec train(tikhonov::Model &m, const Problem &P, double p, int steps) {
  loom::rt::Array<float> keep;
  keep[0] = float(p);
  // A step size safely below 2 / (largest curvature of the expected loss).
  double curvature = 0;
  for (int j = 0; j < D; ++j) curvature += P.col_norm2(j);
  double lr0 = 0.5 / curvature;
  for (int s = 0; s < steps; ++s) m.fit(P.X, P.y, keep, float(lr0 / (1 + s / 300.0)));
  auto w = m.params().values<float>("w");
  return Vec(w.begin(), w.end());
}

} // namespace e2
