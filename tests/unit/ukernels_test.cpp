// The CPU micro-kernels (runtime/src/ukernels) against plain loops, for every
// instruction set this CPU has: convolution, filter and input gradient, with
// strides, dilations, groups, padding-sized inputs, strided (non-dense)
// operands and shapes that leave partial register and cache tiles.
#include "ukernels/ukernels.hpp"

#include <loom/rt/threads.hpp>
#include <loom/rt/ukernels.h>

#include <doctest/doctest.h>
#include <loom/rt/error.hpp>

#include <array>
#include <cmath>
#include <functional>
#include <string>
#include <vector>

using namespace loom::rt::uk;

namespace {

struct Case {
  int64_t N, C, H, W, O, KH, KW, s, d, groups, pad; // pad: extra elements after each row and image (strided views)
  int64_t border[4] = {0, 0, 0, 0};                  // x's zero (dx's unneeded) rows and columns: top, left, bottom, right
};

using ConvFn = std::function<void(ConvKind, const ConvGeometry &, float *, float *, float *)>;

std::vector<std::pair<std::string, ConvFn>> implementations() {
  std::vector<std::pair<std::string, ConvFn>> all{{"generic", generic::conv2d}};
#if defined(__x86_64__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) all.emplace_back("avx2", avx2::conv2d);
  if (__builtin_cpu_supports("avx512f")) all.emplace_back("avx512", avx512::conv2d);
#endif
  return all;
}

float value(int64_t i, int salt) { return float(((i * 7919 + salt * 104729) % 2001) - 1000) / 1000.0f; }

/// Dense-with-padding strides for a [A, B, R, S] tensor: `pad` spare elements after each row and each [R, S] plane.
std::vector<int64_t> strides(int64_t B, int64_t R, int64_t S, int64_t pad) {
  int64_t row = S + pad, plane = R * row + pad;
  return {B * plane, plane, row, 1};
}

/// dyP, what input_grad_padded reads: dy ([N, O, OH, OW] at strides ys) spread out by the stride s into zeros and
/// padded by (K-1) d on every side, at the strides `ps` of a [N, O, PH, PW] tensor.
std::vector<float> spreadPadded(const std::vector<float> &y, const std::vector<int64_t> &ys, const std::vector<int64_t> &ps,
                                int64_t N, int64_t O, int64_t OH, int64_t OW, int64_t s, int64_t KH, int64_t KW, int64_t d) {
  std::vector<float> yp(N * ps[0], 0.0f);
  for (int64_t n = 0; n < N; ++n)
    for (int64_t o = 0; o < O; ++o)
      for (int64_t i = 0; i < OH; ++i)
        for (int64_t j = 0; j < OW; ++j)
          yp[n * ps[0] + o * ps[1] + ((KH - 1) * d + i * s) * ps[2] + ((KW - 1) * d + j * s) * ps[3]] =
              y[n * ys[0] + o * ys[1] + i * ys[2] + j * ys[3]];
  return yp;
}

/// Calls f(index) for every element of an [A, B, R, S] view with strides s (not the spare elements between rows).
template <class F> void forEachElement(int64_t A, int64_t B, int64_t R, int64_t S, const std::vector<int64_t> &s, F f) {
  for (int64_t a = 0; a < A; ++a)
    for (int64_t b = 0; b < B; ++b)
      for (int64_t r = 0; r < R; ++r)
        for (int64_t q = 0; q < S; ++q) f(a * s[0] + b * s[1] + r * s[2] + q * s[3]);
}

/// One convolution of each implementation against double-precision loops. `overwrite`: the kernel sets its
/// output (which holds NaNs before, but for the spare elements of strided views, which must keep their values).
void check(const Case &t, ConvKind kind, bool overwrite = false) {
  const int64_t Cg = t.C / t.groups, Og = t.O / t.groups;
  const int64_t OH = (t.H - t.d * (t.KH - 1) - 1) / t.s + 1, OW = (t.W - t.d * (t.KW - 1) - 1) / t.s + 1;
  auto xs = strides(t.C, t.H, t.W, t.pad), ws = strides(Cg, t.KH, t.KW, 0), ys = strides(t.O, OH, OW, t.pad);
  std::vector<float> x(t.N * xs[0]), w(t.O * ws[0]), y(t.N * ys[0]);
  for (size_t i = 0; i < x.size(); ++i) x[i] = value(i, 1);
  // x's border is zero, as a zero padding makes it (the kernels skip its taps).
  auto inBorder = [&](int64_t r, int64_t q) {
    return r < t.border[0] || q < t.border[1] || r >= t.H - t.border[2] || q >= t.W - t.border[3];
  };
  for (int64_t n = 0; n < t.N; ++n)
    for (int64_t c = 0; c < t.C; ++c)
      for (int64_t r = 0; r < t.H; ++r)
        for (int64_t q = 0; q < t.W; ++q)
          if (inBorder(r, q)) x[n * xs[0] + c * xs[1] + r * xs[2] + q * xs[3]] = 0;
  for (size_t i = 0; i < w.size(); ++i) w[i] = value(i, 2);
  for (size_t i = 0; i < y.size(); ++i) y[i] = value(i, 3);
  auto at = [](std::vector<float> &v, const std::vector<int64_t> &s, int64_t a, int64_t b, int64_t c, int64_t e) -> float & {
    return v[a * s[0] + b * s[1] + c * s[2] + e * s[3]];
  };
  // The reference: the same sums in double, added to what the output held.
  std::vector<float> xr = x, wr = w, yr = y;
  std::vector<double> acc(kind == ConvKind::forward ? y.size() : kind == ConvKind::filter_grad ? w.size() : x.size());
  auto &out = kind == ConvKind::forward ? yr : kind == ConvKind::filter_grad ? wr : xr;
  const auto &os = kind == ConvKind::forward ? ys : kind == ConvKind::filter_grad ? ws : xs;
  auto eachOut = [&](auto f) {
    if (kind == ConvKind::forward) forEachElement(t.N, t.O, OH, OW, ys, f);
    else if (kind == ConvKind::filter_grad) forEachElement(t.O, Cg, t.KH, t.KW, ws, f);
    else forEachElement(t.N, t.C, t.H, t.W, xs, f);
  };
  for (size_t i = 0; i < acc.size(); ++i) acc[i] = out[i];
  if (overwrite) eachOut([&](int64_t i) { acc[i] = 0; });
  for (int64_t n = 0; n < t.N; ++n)
    for (int64_t o = 0; o < t.O; ++o)
      for (int64_t i = 0; i < OH; ++i)
        for (int64_t j = 0; j < OW; ++j)
          for (int64_t c = 0; c < Cg; ++c)
            for (int64_t kh = 0; kh < t.KH; ++kh)
              for (int64_t kw = 0; kw < t.KW; ++kw) {
                int64_t ci = (o / Og) * Cg + c, r = i * t.s + kh * t.d, q = j * t.s + kw * t.d;
                double xv = at(x, xs, n, ci, r, q), wv = at(w, ws, o, c, kh, kw), yv = at(y, ys, n, o, i, j);
                if (kind == ConvKind::forward) acc[n * ys[0] + o * ys[1] + i * ys[2] + j * ys[3]] += xv * wv;
                else if (kind == ConvKind::filter_grad) acc[o * ws[0] + c * ws[1] + kh * ws[2] + kw * ws[3]] += xv * yv;
                else acc[n * xs[0] + ci * xs[1] + r * xs[2] + q * xs[3]] += wv * yv;
              }
  double scale = 0;
  for (double a : acc) scale = std::max(scale, std::fabs(a));
  ConvGeometry g{t.N, t.C, t.H, t.W, t.O, t.KH, t.KW, OH, OW, t.s, t.s, t.d, t.d, t.groups,
                 {xs[0], xs[1], xs[2], xs[3]}, {ws[0], ws[1], ws[2], ws[3]}, {ys[0], ys[1], ys[2], ys[3]},
                 {t.border[0], t.border[1], t.border[2], t.border[3]}};
  // The input gradients may leave dx's border as it was (nobody needs it): compared but there.
  std::vector<bool> skip(kind == ConvKind::input_grad || kind == ConvKind::input_grad_padded ? x.size() : 0);
  for (int64_t n = 0; n < t.N && !skip.empty(); ++n)
    for (int64_t c = 0; c < t.C; ++c)
      for (int64_t r = 0; r < t.H; ++r)
        for (int64_t q = 0; q < t.W; ++q)
          if (inBorder(r, q)) skip[n * xs[0] + c * xs[1] + r * xs[2] + q * xs[3]] = true;
  std::vector<float> yp;
  if (kind == ConvKind::input_grad_padded) {
    auto ps = strides(t.O, t.H + (t.KH - 1) * t.d, t.W + (t.KW - 1) * t.d, t.pad);
    yp = spreadPadded(y, ys, ps, t.N, t.O, OH, OW, t.s, t.KH, t.KW, t.d);
    std::copy(ps.begin(), ps.end(), g.ys);
  }
  g.overwrite = overwrite;
  for (auto &[isa, conv] : implementations()) {
    std::vector<float> xk = x, wk = w, yk = kind == ConvKind::input_grad_padded ? yp : y;
    auto &got = kind == ConvKind::forward ? yk : kind == ConvKind::filter_grad ? wk : xk;
    if (overwrite) eachOut([&](int64_t i) { got[i] = NAN; });
    conv(kind, g, xk.data(), wk.data(), yk.data());
    double worst = 0;
    bool borderZeroOrRight = true; // an overwritten input gradient's border: zeros, or what it would be
    for (size_t i = 0; i < got.size(); ++i)
      if (skip.empty() || !skip[i]) {
        const double d = std::fabs(got[i] - acc[i]);
        if (!(d <= worst)) worst = d; // a NaN (one left in an overwritten output) sticks
      } else if (overwrite) borderZeroOrRight &= got[i] == 0 || std::fabs(got[i] - acc[i]) <= 2e-5 * (scale + 1);
    INFO(isa, " kind ", int(kind), overwrite ? " overwrite" : "", " N", t.N, " C", t.C, " H", t.H, " W", t.W, " O", t.O,
         " K", t.KH, "x", t.KW, " s", t.s, " d", t.d, " g", t.groups, " pad", t.pad, ": worst ", worst, " of ", scale);
    CHECK(worst <= 2e-5 * (scale + 1)); // (a NaN left in the output fails it too)
    CHECK(borderZeroOrRight);
    // Only the output moved (the spare elements of strided views included).
    if (kind != ConvKind::forward) CHECK(yk == (kind == ConvKind::input_grad_padded ? yp : y));
    if (kind != ConvKind::filter_grad) CHECK(wk == w);
    if (kind != ConvKind::input_grad && kind != ConvKind::input_grad_padded) CHECK(xk == x);
  }
}

const Case cases[] = {
    {2, 3, 9, 9, 5, 3, 3, 1, 1, 1, 0},      // tiny: every tile partial
    {2, 16, 18, 18, 32, 3, 3, 1, 1, 1, 0},  // ResNet-like 3x3, stride 1 (padded input)
    {2, 16, 17, 17, 32, 3, 3, 2, 1, 1, 0},  // stride 2
    {3, 32, 8, 8, 64, 1, 1, 2, 1, 1, 0},    // 1x1 downsample, stride 2
    {1, 3, 38, 38, 24, 7, 7, 2, 1, 1, 0},   // 7x7 stem, stride 2
    {2, 8, 12, 12, 12, 3, 3, 1, 2, 1, 0},   // dilation 2
    {2, 8, 10, 10, 12, 3, 3, 1, 1, 4, 0},   // groups 4
    {2, 6, 11, 13, 14, 3, 2, 1, 1, 2, 3},   // non-square kernel, strided (non-dense) views
    {1, 40, 6, 6, 300, 3, 3, 1, 1, 1, 0},   // more output channels than a cache tile (MC)
    {1, 300, 6, 6, 20, 1, 1, 1, 1, 1, 0},   // a reduction longer than KC
    {1, 16, 34, 34, 24, 3, 3, 1, 1, 1, 3},  // a thin padding ring: input_grad_padded as a flipped-filter forward GEMM
    {2, 8, 34, 34, 24, 3, 3, 1, 1, 1, 0},   // rows of 32 pixels: whole vectors of taps, transposed in the filter gradient's pack
    {2, 8, 65, 65, 20, 3, 3, 2, 1, 1, 0},   // the same at stride 2 (every other float)
    {2, 16, 6, 6, 32, 3, 3, 1, 1, 1, 0, {1, 1, 1, 1}},    // a zero padding of 1 at 4 x 4 (ResNet's last stage)
    {2, 16, 10, 10, 24, 3, 3, 2, 1, 1, 0, {1, 1, 1, 1}},  // the same at stride 2
    {1, 16, 12, 11, 16, 5, 3, 1, 1, 1, 2, {2, 0, 1, 1}},  // an uneven border, 5 x 3 kernel, strided views (forward form)
    {2, 8, 10, 10, 12, 3, 3, 1, 1, 4, 0, {1, 1, 1, 1}},   // groups with a border
    {1, 16, 34, 34, 24, 3, 3, 1, 1, 1, 0, {1, 1, 1, 1}},  // input_grad_padded's forward GEMM over dx's interior only
    {1, 4, 6, 6, 8, 3, 3, 1, 2, 1, 0, {2, 2, 2, 2}},      // dilation 2: every output's taps partly in the border
    // Few output channels (few_outputs.hpp; and a 3-channel input gradient in the forward form, with a
    // border): whole rows of vectors at stride 1 and 2, rows ending in part of a vector, tiles cut at the
    // last rows and channels.
    {2, 3, 34, 34, 8, 3, 3, 1, 1, 1, 0, {1, 1, 1, 1}},
    {2, 2, 33, 33, 4, 3, 3, 2, 1, 1, 0},
    {3, 1, 31, 30, 7, 5, 5, 2, 1, 1, 1},
    // Winograd's forms (3 x 3, stride 1, 32+ channels, winograd.hpp): rows of tiles as wide as a vector,
    // half as wide (two runs), narrower (gathers); odd output sizes (partial tiles) on strided views; an
    // interior (the input gradient's forward form with a border); transforms larger than L2 (192 x 192
    // channels: the forward's filters 2.4 MB, the filter gradient's sums 5.3 MB).
    {2, 32, 34, 34, 64, 3, 3, 1, 1, 1, 0},
    {3, 64, 18, 18, 32, 3, 3, 1, 1, 1, 0},
    {2, 32, 10, 10, 64, 3, 3, 1, 1, 1, 0},
    {2, 32, 11, 13, 64, 3, 3, 1, 1, 1, 2},
    {1, 64, 7, 9, 32, 3, 3, 1, 1, 1, 0, {1, 1, 1, 1}},
    {1, 192, 6, 6, 192, 3, 3, 1, 1, 1, 0},
};

} // namespace

TEST_CASE("conv2d micro-kernel matches plain loops") {
  for (const Case &t : cases) check(t, ConvKind::forward);
}
TEST_CASE("conv2d filter-gradient micro-kernel matches plain loops") {
  for (const Case &t : cases) check(t, ConvKind::filter_grad);
}
TEST_CASE("conv2d input-gradient micro-kernel (col2im, no zero-spreading) matches plain loops") {
  for (const Case &t : cases) check(t, ConvKind::input_grad);
}
TEST_CASE("conv2d input gradient from the spread, padded dy (a flipped-filter forward GEMM at stride 1) matches plain loops") {
  for (const Case &t : cases) check(t, ConvKind::input_grad_padded);
}

TEST_CASE("conv2d micro-kernels that overwrite their output (no zero fill before): every kind, every case") {
  for (ConvKind kind : {ConvKind::forward, ConvKind::filter_grad, ConvKind::input_grad, ConvKind::input_grad_padded})
    for (const Case &t : cases) check(t, kind, true);
}

TEST_CASE("micro-kernels on several threads: bit-identical for a given thread count, and to one thread but for col2im") {
  // 4 x 64 x 16 x 16 outputs of a 32-channel 3x3: tens of MFLOP, so every count splits the work;
  // 176 -> 176 channels at 8 x 8, batch 25 (the Winograd forward's 400 tiles in several blocks a thread);
  // a 3-channel stem at 32 x 32, batch 40 (the filter gradient's dot products: tiles split over the threads,
  // images in several blocks).
  for (auto [N, C, H, O] : {std::array<int64_t, 4>{4, 32, 18, 64}, std::array<int64_t, 4>{25, 176, 10, 176},
                            std::array<int64_t, 4>{40, 3, 34, 64}}) {
    const int64_t K = 3, OH = H - 2;
    ConvGeometry g{N, C, H, H, O, K, K, OH, OH, 1, 1, 1, 1, 1, {C * H * H, H * H, H, 1}, {C * K * K, K * K, K, 1},
                   {O * OH * OH, OH * OH, OH, 1}};
    std::vector<float> x(N * C * H * H), w(O * C * K * K), y(N * O * OH * OH);
    for (size_t i = 0; i < x.size(); ++i) x[i] = value(i, 4);
    for (size_t i = 0; i < w.size(); ++i) w[i] = value(i, 5);
    for (size_t i = 0; i < y.size(); ++i) y[i] = value(i, 6);
    // dyP for input_grad_padded: dy inside K - 1 zeros on every side.
    auto ps = strides(O, H + K - 1, H + K - 1, 0);
    std::vector<float> yp = spreadPadded(y, strides(O, OH, OH, 0), ps, N, O, OH, OH, 1, K, K, 1);
    ConvGeometry gp = g;
    std::copy(ps.begin(), ps.end(), gp.ys);
    for (auto &[isa, conv] : implementations())
      for (ConvKind kind : {ConvKind::forward, ConvKind::filter_grad, ConvKind::input_grad, ConvKind::input_grad_padded})
        for (bool overwrite : {false, true}) {
          auto run = [&](int threads) {
            loom::rt::ThreadsScope scope(threads);
            bool padded = kind == ConvKind::input_grad_padded;
            std::vector<float> xk = x, wk = w, yk = padded ? yp : y;
            ConvGeometry k = padded ? gp : g;
            k.overwrite = overwrite;
            conv(kind, k, xk.data(), wk.data(), yk.data());
            return kind == ConvKind::forward ? yk : kind == ConvKind::filter_grad ? wk : xk;
          };
          auto one = run(1);
          for (int t : {2, 3, 5}) {
            INFO(isa, " kind ", int(kind), overwrite ? " overwrite" : "", " threads ", t);
            auto a = run(t), b = run(t);
            CHECK(a == b);
            if (kind != ConvKind::input_grad && kind != ConvKind::input_grad_padded) CHECK(a == one);
            double worst = 0;
            for (size_t i = 0; i < a.size(); ++i) worst = std::max(worst, double(std::fabs(a[i] - one[i])));
            CHECK(worst < 1e-4);
          }
        }
  }
}

TEST_CASE("thread counts: LOOM_NUM_THREADS's default, set_num_threads, a scope; bad counts are errors") {
  int base = loom::rt::num_threads();
  CHECK(base >= 1);
  loom::rt::set_num_threads(3);
  CHECK(loom::rt::num_threads() == 3);
  {
    loom::rt::ThreadsScope scope(2);
    CHECK(loom::rt::num_threads() == 2);
  }
  CHECK(loom::rt::num_threads() == 3);
  loom::rt::set_num_threads(0);
  CHECK(loom::rt::num_threads() == base);
  CHECK_THROWS_WITH(loom::rt::set_num_threads(-1), "set_num_threads(-1): expected 0 (the default) to 1024");
}

TEST_CASE("matmul micro-kernel: plain, batched, B transposed, strided views") {
  struct MM {
    int64_t batch, M, N, K;
    bool transposedB;
  } cases[] = {{1, 5, 7, 3, false}, {1, 64, 256, 784, true}, {3, 40, 50, 300, false}, {2, 13, 70, 129, true}};
  for (const MM &t : cases) {
    const int64_t pad = 3; // spare elements after each row: strided views
    int64_t lda = t.K + pad, ldb = (t.transposedB ? t.K : t.N) + pad, ldc = t.N + pad;
    int64_t brows = t.transposedB ? t.N : t.K;
    std::vector<float> a(t.batch * t.M * lda), b(t.batch * brows * ldb), c(t.batch * t.M * ldc);
    for (size_t i = 0; i < a.size(); ++i) a[i] = value(i, 7);
    for (size_t i = 0; i < b.size(); ++i) b[i] = value(i, 8);
    for (size_t i = 0; i < c.size(); ++i) c[i] = value(i, 9);
    MatmulGeometry g{t.batch, t.M, t.N, t.K, {t.M * lda, lda, 1},
                     {brows * ldb, t.transposedB ? 1 : ldb, t.transposedB ? ldb : 1}, {t.M * ldc, ldc, 1}};
    std::vector<double> want(c.begin(), c.end());
    double scale = 0;
    for (int64_t i = 0; i < t.batch; ++i)
      for (int64_t m = 0; m < t.M; ++m)
        for (int64_t n = 0; n < t.N; ++n) {
          double s = 0;
          for (int64_t k = 0; k < t.K; ++k)
            s += double(a[i * g.as[0] + m * lda + k]) * b[i * g.bs[0] + k * g.bs[1] + n * g.bs[2]];
          want[i * g.cs[0] + m * ldc + n] += s;
          scale = std::max(scale, std::fabs(want[i * g.cs[0] + m * ldc + n]));
        }
    std::vector<std::pair<std::string, void (*)(const MatmulGeometry &, const float *, const float *, float *)>> all{
        {"generic", generic::matmul}};
#if defined(__x86_64__)
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) all.emplace_back("avx2", avx2::matmul);
    if (__builtin_cpu_supports("avx512f")) all.emplace_back("avx512", avx512::matmul);
#endif
    for (auto &[isa, mm] : all) {
      std::vector<float> got = c;
      mm(g, a.data(), b.data(), got.data());
      double worst = 0;
      for (size_t i = 0; i < got.size(); ++i) worst = std::max(worst, std::fabs(got[i] - want[i]));
      INFO(isa, " batch ", t.batch, " M", t.M, " N", t.N, " K", t.K, " transposed ", t.transposedB, ": worst ", worst);
      CHECK(worst <= 2e-5 * (scale + 1));
    }
  }
}

namespace {
// A kernel part as -loom-parallel-kernels makes them: buffers, then [lo, hi).
// Each index adds its range's start + 1 to a counter and records the range's length.
void part3(void *count, void *start, void *length, int64_t lo, int64_t hi) {
  for (int64_t i = lo; i < hi; ++i) {
    static_cast<int *>(count)[i] += 1;
    static_cast<int64_t *>(start)[i] = lo;
    static_cast<int64_t *>(length)[i] = hi - lo;
  }
}
void part16(void *a0, void *a1, void *a2, void *a3, void *a4, void *a5, void *a6, void *a7, void *a8, void *a9,
            void *a10, void *a11, void *a12, void *a13, void *a14, void *a15, int64_t lo, int64_t hi) {
  void *args[] = {a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15};
  for (int64_t i = lo; i < hi; ++i)
    for (int k = 0; k < 16; ++k) static_cast<int *>(args[k])[i] += k;
}
} // namespace

TEST_CASE("loom_rt_parallel_for: contiguous ranges of at least the grain cover [0, n) once, the arguments in order") {
  for (int threads : {1, 2, 3, 7})
    for (int64_t grain : {1, 10, 40, 1000}) {
      INFO("threads ", threads, " grain ", grain);
      loom::rt::ThreadsScope scope(threads);
      const int64_t n = 100;
      std::vector<int> count(n);
      std::vector<int64_t> start(n, -1), length(n, -1);
      void *args[] = {count.data(), start.data(), length.data()};
      loom_rt_parallel_for(reinterpret_cast<void *>(&part3), args, 3, n, grain);
      int64_t ranges = 0;
      for (int64_t i = 0; i < n; ++i) {
        REQUIRE(count[i] == 1);
        if (i == 0 || start[i] != start[i - 1]) {
          ++ranges;
          CHECK(start[i] == i); // a range starts where the previous one ended
          CHECK(length[i] >= std::min(grain, n));
        }
      }
      CHECK(ranges == std::max<int64_t>(1, std::min<int64_t>(threads, n / grain)));
    }
  loom::rt::ThreadsScope scope(3);
  std::vector<std::vector<int>> buffers(LOOM_RT_PARALLEL_FOR_MAX_ARGS, std::vector<int>(50));
  void *args[LOOM_RT_PARALLEL_FOR_MAX_ARGS];
  for (int k = 0; k < LOOM_RT_PARALLEL_FOR_MAX_ARGS; ++k) args[k] = buffers[k].data();
  static_assert(LOOM_RT_PARALLEL_FOR_MAX_ARGS == 16, "part16 takes the most arguments");
  loom_rt_parallel_for(reinterpret_cast<void *>(&part16), args, 16, 50, 5);
  for (int k = 0; k < 16; ++k) CHECK(buffers[k] == std::vector<int>(50, k));
}
