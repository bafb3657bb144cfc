// E3's experiments on the compiled gradients (conv_grads.h), shared by main and test.
#pragma once

#include "conv_grads.h"

#include <cmath>
#include <vector>

namespace e3 {

constexpr int K = 3, S = 256;

enum class Dist { gaussian, uniform };

/// Zero-mean draws with standard deviation `sd`, from Philox (key, stream).
struct Draws {
  std::array<uint32_t, 2> key;
  uint32_t stream;
  uint64_t i = 0;
  float next(Dist d, double sd) {
    if (d == Dist::uniform) // U(-a, a) has sd a / sqrt(3)
      return float((2 * loom::rt::Philox4x32::uniform(key, i++, stream) - 1) * sd * std::sqrt(3.0));
    double u1 = 1.0 - loom::rt::Philox4x32::uniform(key, i++, stream), u2 = loom::rt::Philox4x32::uniform(key, i++, stream);
    return float(sd * std::sqrt(-2 * std::log(u1)) * std::cos(2 * M_PI * u2));
  }
};

/// dw[h][l] = sum_{i,j} X[i+h, j+l] dY[i, j]: the valid cross-correlation of X with dY.
template <class A, class B> std::vector<double> cross_correlation(const A &x, const B &dy, int n, int k) {
  int m = n - k + 1;
  std::vector<double> dw(k * k, 0);
  for (int h = 0; h < k; ++h)
    for (int l = 0; l < k; ++l)
      for (int i = 0; i < m; ++i)
        for (int j = 0; j < m; ++j) dw[h * k + l] += double(x[(i + h) * n + j + l]) * dy[i * m + j];
  return dw;
}

struct StdPoint {
  int n;
  double std_dw, theory;
};

/// Std of dw over `calls` x 256 independent pairs for one image size n (an export per n).
template <int N, class Export>
StdPoint std_of_dw(Export dw, Dist dist, int calls, double sx, double sg, uint64_t seed) {
  constexpr int M = N - K + 1;
  loom::rt::Array<float, 1, S, N, N> x;
  loom::rt::Array<float, S, 1, K, K> w;
  loom::rt::Array<float, 1, S, M, M> dy;
  Draws rx{loom::rt::Philox4x32::key(seed), 10}, rg{loom::rt::Philox4x32::key(seed), 11};
  double sum = 0, sq = 0;
  long count = 0;
  for (int c = 0; c < calls; ++c) {
    for (long i = 0; i < x.numel; ++i) x[i] = rx.next(dist, sx);
    for (long i = 0; i < dy.numel; ++i) dy[i] = rg.next(dist, sg);
    auto g = dw(x, w, dy);
    for (float v : g.grad_w.span()) sum += v, sq += double(v) * v, ++count;
  }
  double mean = sum / count;
  return {N, std::sqrt(sq / count - mean * mean), double(M) * sx * sg};
}

/// All sizes, for one distribution.
inline std::vector<StdPoint> sweep(conv_grads::Model &m, Dist dist, int calls = 8, double sx = 1.0, double sg = 0.5) {
  using namespace conv_grads;
  // (Each export is a lambda: its name is overloaded, by value and into the caller's buffers.)
  return {std_of_dw<8>([&](auto &...a) { return m.dw_n8(a..., 1); }, dist, calls, sx, sg, 1),
          std_of_dw<16>([&](auto &...a) { return m.dw_n16(a..., 1); }, dist, calls, sx, sg, 2),
          std_of_dw<24>([&](auto &...a) { return m.dw_n24(a..., 1); }, dist, calls, sx, sg, 3),
          std_of_dw<32>([&](auto &...a) { return m.dw_n32(a..., 1); }, dist, calls, sx, sg, 4),
          std_of_dw<48>([&](auto &...a) { return m.dw_n48(a..., 1); }, dist, calls, sx, sg, 5),
          std_of_dw<64>([&](auto &...a) { return m.dw_n64(a..., 1); }, dist, calls, sx, sg, 6)};
}

/// Least-squares slope of std against (n - k + 1), through the origin.
inline double slope(const std::vector<StdPoint> &pts) {
  double num = 0, den = 0;
  for (auto &p : pts) num += p.std_dw * (p.n - K + 1), den += double(p.n - K + 1) * (p.n - K + 1);
  return num / den;
}

} // namespace e3
