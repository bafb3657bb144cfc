// The filter gradient of a convolution with few filter elements (O/groups x
// C/groups x KH x KW up to a few thousand, more at unit stride: a 3-channel
// stem, LeNet-5's, E4's and E1 i's layers, a 1 x 1 expansion) as dot products
// along the rows of dy and x:
// dw[o, q] = sum over pixels of dy[o, p] x[q, p], where both operands lie
// along the rows of pixels, so each vector of L pixels is one load of dy and
// one of x's window (every other float at stride 2), with no packing and no
// transposes. A register tile of TO filters x TQ taps keeps TO TQ vectors of
// partial sums by lane; images go in blocks small enough to stay in L2, and
// each tile's sums wait in memory between blocks; the lanes are added at the
// end. As a GEMM the same gradient has a reduction of N OH OW but only
// O/groups rows and C/groups KH KW columns: its packing (dy and x both
// transposed) outweighed the multiplications (the 3-channel stem's filter
// gradient ran at 36-43% of a core's peak, LeNet-5's first layer as loops at
// 13 GFLOP/s).
//
// Each tile's sums belong to one thread and run in a fixed order (images,
// rows, vectors, then the lanes), so results do not depend on the thread
// count.
//
// Included by gemm.hpp, inside its namespace (one copy per instruction set).

namespace dotgrad {

/// The first n floats (0 to L) at p into lanes [0, n), zeros in the others; nothing past them is read
/// (masked loads do not fault).
inline V loadFirst(const float *p, int64_t n) {
#if LOOM_UK_LANES == 16 && defined(__AVX512F__)
  return V(_mm512_maskz_loadu_ps(__mmask16((1u << n) - 1), p));
#elif LOOM_UK_LANES == 8 && defined(__AVX2__)
  return V(_mm256_maskload_ps(p, __m256i(kLanes < VI{} + int32_t(n))));
#else
  V v{};
  for (int64_t i = 0; i < n; ++i) v[i] = p[i];
  return v;
#endif
}

/// n floats (0 to L) at p, p + step, ... (step 1 or 2) into lanes [0, n), zeros in the others.
inline V loadFirstStep(const float *p, int64_t n, int64_t step) {
  if (step == 1 || n == 0) return loadFirst(p, n);
  const int64_t span = 2 * n - 1; // floats from p to the last one used
  V a = loadFirst(p, std::min<int64_t>(span, L)), b = loadFirst(p + L, std::max<int64_t>(0, span - L));
  return [&]<size_t... J>(std::index_sequence<J...>) {
    return __builtin_shufflevector(a, b, int(2 * J)...);
  }(std::make_index_sequence<L>{});
}

/// The tile shapes (filters x taps): TO TQ accumulators, TQ vectors of x and one of dy fit the registers
/// (32 with AVX-512, 16 otherwise).
template <int TO_, int TQ_> struct Shape {
  static constexpr int TO = TO_, TQ = TQ_;
};
using Shapes = std::conditional_t<L == 16, std::tuple<Shape<6, 4>, Shape<4, 6>, Shape<8, 3>, Shape<3, 7>, Shape<12, 2>, Shape<2, 10>>,
                                  std::tuple<Shape<3, 3>, Shape<4, 2>, Shape<2, 5>, Shape<5, 2>>>;

/// One block of images [n0, n1) for a tile: filters o0 + [0, no) of dy's channels at `dy`, taps q0 + [0, nq)
/// (x's offsets qOff), added to the tile's partial sums (TO x TQ vectors at `sums`). Filters and taps past
/// no and nq repeat the last one; their sums are not used.
template <int TO, int TQ>
void tile(const ConvGeometry &g, const float *x, const float *dy, const int64_t *qOff, int64_t no, int64_t nq,
          int64_t n0, int64_t n1, V *sums) {
  V acc[TO][TQ];
#pragma clang loop unroll(full)
  for (int o = 0; o < TO; ++o)
#pragma clang loop unroll(full)
    for (int q = 0; q < TQ; ++q) acc[o][q] = sums[o * TQ + q];
  const int64_t full = g.OW / L * L, tail = g.OW - full, step = g.sw, xRow = g.sh * g.xs[2];
  for (int64_t n = n0; n < n1; ++n) {
    // Each operand's row pointers, set once an image and moved a row at a time (recomputed for every row,
    // they cost as much as a row's multiplications at 16 pixels a row).
    const float *yr[TO], *xr[TQ];
#pragma clang loop unroll(full)
    for (int o = 0; o < TO; ++o) yr[o] = dy + n * g.ys[0] + std::min<int64_t>(o, no - 1) * g.ys[1];
#pragma clang loop unroll(full)
    for (int q = 0; q < TQ; ++q) xr[q] = x + n * g.xs[0] + qOff[std::min<int64_t>(q, nq - 1)];
    for (int64_t i = 0; i < g.OH; ++i) {
      auto fma = [&](auto loadX, auto loadY) {
        V xv[TQ];
#pragma clang loop unroll(full)
        for (int q = 0; q < TQ; ++q) xv[q] = loadX(xr[q]);
#pragma clang loop unroll(full)
        for (int o = 0; o < TO; ++o) {
          const V d = loadY(yr[o]);
#pragma clang loop unroll(full)
          for (int q = 0; q < TQ; ++q) acc[o][q] += d * xv[q];
        }
      };
      for (int64_t j = 0; j < full; j += L)
        fma([&](const float *p) { return loadStep(p + j * step, step); }, [&](const float *p) { return load(p + j); });
      if (tail)
        fma([&](const float *p) { return loadFirstStep(p + full * step, tail, step); },
            [&](const float *p) { return loadFirst(p + full, tail); });
#pragma clang loop unroll(full)
      for (int o = 0; o < TO; ++o) yr[o] += g.ys[2];
#pragma clang loop unroll(full)
      for (int q = 0; q < TQ; ++q) xr[q] += xRow;
    }
  }
#pragma clang loop unroll(full)
  for (int o = 0; o < TO; ++o)
#pragma clang loop unroll(full)
    for (int q = 0; q < TQ; ++q) sums[o * TQ + q] = acc[o][q];
}

/// The whole gradient with tiles of S::TO x S::TQ: tiles split over the threads, images in blocks.
template <class S> void run(const ConvGeometry &g, const float *x, float *w, const float *y) {
  constexpr int TO = S::TO, TQ = S::TQ;
  const int64_t Cg = g.C / g.groups, Og = g.O / g.groups, Q = Cg * g.KH * g.KW;
  const int64_t tilesO = (Og + TO - 1) / TO, tilesQ = (Q + TQ - 1) / TQ, tiles = g.groups * tilesO * tilesQ;
  // x's offset of each tap q = (c, kh, kw) within a group; the sums (each thread writes its tiles').
  static thread_local std::vector<int64_t> qOffStore;
  static thread_local std::vector<V> sumStore;
  qOffStore.resize(Q), sumStore.assign(tiles * TO * TQ, V{});
  const int64_t *qOff = qOffStore.data();
  V *sums = sumStore.data();
  for (int64_t c = 0, q = 0; c < Cg; ++c)
    for (int64_t kh = 0; kh < g.KH; ++kh)
      for (int64_t kw = 0; kw < g.KW; ++kw, ++q) qOffStore[q] = c * g.xs[1] + kh * g.dh * g.xs[2] + kw * g.dw * g.xs[3];
  // Images a block: their x and dy in about 512 KB (half of L2 on the Zen 4 VMs).
  const int64_t perImage = 4 * (g.C * g.H * g.W + g.O * g.OH * g.OW);
  const int64_t block = std::max<int64_t>(1, (int64_t(512) << 10) / std::max<int64_t>(perImage, 1));
  const int64_t shares = std::min<int64_t>(num_threads(), tiles);
  parallel(int(shares), [&](int s) {
    const int64_t t0 = tiles * s / shares, t1 = tiles * (s + 1) / shares;
    auto where = [&](int64_t t) { // group, first filter, first tap
      const int64_t grp = t / (tilesO * tilesQ), r = t % (tilesO * tilesQ);
      return std::array<int64_t, 3>{grp, r / tilesQ * TO, r % tilesQ * TQ};
    };
    for (int64_t n0 = 0; n0 < g.N; n0 += block)
      for (int64_t t = t0; t < t1; ++t) {
        auto [grp, o0, q0] = where(t);
        tile<TO, TQ>(g, x + grp * Cg * g.xs[1], y + (grp * Og + o0) * g.ys[1], qOff + q0, std::min<int64_t>(TO, Og - o0),
                     std::min<int64_t>(TQ, Q - q0), n0, std::min(g.N, n0 + block), sums + t * TO * TQ);
      }
    for (int64_t t = t0; t < t1; ++t) {
      auto [grp, o0, q0] = where(t);
      for (int64_t o = o0; o < std::min(Og, o0 + TO); ++o)
        for (int64_t q = q0; q < std::min(Q, q0 + TQ); ++q) {
          const V v = sums[(t * TO + o - o0) * TQ + q - q0];
          float sum = 0;
          for (int l = 0; l < L; ++l) sum += v[l];
          const int64_t c = q / (g.KH * g.KW), kh = q / g.KW % g.KH, kw = q % g.KW;
          float &out = w[(grp * Og + o) * g.ws[0] + c * g.ws[1] + kh * g.ws[2] + kw * g.ws[3]];
          out = g.overwrite ? sum : out + sum;
        }
    }
  });
}

/// Where the dot products beat the GEMM (measured on a Zen 4 core, batch 64, one thread and two): up to
/// 4096 filter elements (O/groups x C/groups x KH x KW) always (LeNet-5's 6 -> 16 at 10 x 10, a row 62% of a
/// vector: 0.62 -> 0.45 ms); at unit stride up to 16384 where rows fill 85% of their vectors (E1 i's 16 -> 32
/// at 14 x 14, 4608: 1.75 -> 1.21 ms; 64 -> 256 1 x 1 at 32 x 32: 28.2 -> 24.8 ms; 256 -> 64 at 16 x 16
/// even). Not at stride 2 (x's every other float: two loads and a shuffle a vector; the 1 x 1 stride-2
/// shortcuts 64 -> 128 4.7 -> 5.4 ms) nor on rows of 8 (128 -> 512 1 x 1 at 8 x 8: 7.6 -> 14.8 ms). Rows of
/// dy and x need unit element strides.
inline bool applies(const ConvGeometry &g) {
  const int64_t elements = g.O / g.groups * (g.C / g.groups) * g.KH * g.KW;
  const bool fullRows = 100 * g.OW >= 85 * ((g.OW + L - 1) / L * L);
  return g.N > 0 && g.OH > 0 && g.OW > 0 && g.xs[3] == 1 && g.ys[3] == 1 && (g.sw == 1 || g.sw == 2) &&
         (elements <= 4096 || (g.sw == 1 && elements <= 16384 && fullRows));
}

/// dw (+)= the filter gradient by dot products (applies(g) must hold), with the tile shape that does the
/// least work on the busiest thread (wasted filters and taps included; the larger tile on a tie).
inline void filterGrad(const ConvGeometry &g, const float *x, float *w, const float *y) {
  const int64_t Og = g.O / g.groups, Q = g.C / g.groups * g.KH * g.KW, threads = num_threads();
  int64_t best = -1, bestCost = 0, index = 0;
  std::apply(
      [&](auto... s) {
        ((
             [&] {
               constexpr int TO = decltype(s)::TO, TQ = decltype(s)::TQ;
               const int64_t tiles = g.groups * ((Og + TO - 1) / TO) * ((Q + TQ - 1) / TQ);
               const int64_t cost = (tiles + threads - 1) / threads * TO * TQ;
               if (best < 0 || cost < bestCost) best = index, bestCost = cost;
               ++index;
             }()),
         ...);
      },
      Shapes{});
  index = 0;
  std::apply([&](auto... s) { ((index++ == best ? run<decltype(s)>(g, x, w, y) : void()), ...); }, Shapes{});
}

} // namespace dotgrad
