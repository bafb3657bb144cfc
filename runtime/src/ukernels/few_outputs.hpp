// Convolutions with few output channels (O/groups up to 8: LeNet-5's and
// E4's first layers, and the input gradient of a 3-channel stem in its
// forward form) computed directly from the input's rows: a register tile of
// TO output channels x TR output rows x TV vectors of pixels sums, tap by
// tap, a broadcast filter value times a vector of the input read where it
// lies (every other float at stride 2; masked at a row's end). As a GEMM
// such a convolution has as many rows as output channels, a register tile of
// 8 or 12 rows wastes most of its work, and packing the input's windows costs
// about as much as the multiplications for so few filters.
//
// Each output element is summed by one thread over its taps in a fixed
// order, so results do not depend on the thread count.
//
// Included by gemm.hpp, inside its namespace (one copy per instruction set).

namespace fewout {

/// v's lanes [0, n) to p (n from 0 to L); nothing else is written.
inline void storeFirst(float *p, V v, int64_t n) {
#if LOOM_UK_LANES == 16 && defined(__AVX512F__)
  _mm512_mask_storeu_ps(p, __mmask16((1u << n) - 1), __m512(v));
#elif LOOM_UK_LANES == 8 && defined(__AVX2__)
  _mm256_maskstore_ps(p, __m256i(kLanes < VI{} + int32_t(n)), __m256(v));
#else
  for (int64_t i = 0; i < n; ++i) p[i] = v[i];
#endif
}

/// The tile shapes: TO output channels x TR rows x TV vectors. The TO TR TV accumulators, a tap's TO
/// broadcast filter values and one vector of the input fit the registers (32 with AVX-512, 16 otherwise:
/// holding all TR TV input vectors at once instead spilled, and ran at a third of the speed).
template <int TO_, int TR_, int TV_> struct Shape {
  static constexpr int TO = TO_, TR = TR_, TV = TV_;
};
using Shapes = std::conditional_t<
    L == 16,
    std::tuple<Shape<1, 12, 2>, Shape<2, 6, 2>, Shape<3, 4, 2>, Shape<4, 3, 2>, Shape<6, 2, 2>, Shape<8, 1, 2>,
               Shape<1, 24, 1>, Shape<2, 12, 1>, Shape<3, 8, 1>, Shape<4, 6, 1>, Shape<6, 4, 1>, Shape<8, 2, 1>>,
    std::tuple<Shape<1, 6, 2>, Shape<2, 3, 2>, Shape<3, 2, 2>, Shape<4, 2, 1>, Shape<6, 1, 1>, Shape<1, 12, 1>,
               Shape<2, 5, 1>, Shape<3, 3, 1>>>;

/// y (+)= the convolution over output rows [i0, i1) and columns [j0, j1) with tiles of S.
template <class S>
void run(const ConvGeometry &g, const float *x, const float *w, float *y, int64_t i0, int64_t i1, int64_t j0,
         int64_t j1) {
  constexpr int TO = S::TO, TR = S::TR, TV = S::TV;
  const int64_t Cg = g.C / g.groups, Og = g.O / g.groups, taps = Cg * g.KH * g.KW, rows = i1 - i0, cols = j1 - j0;
  const int64_t oBlocks = (Og + TO - 1) / TO, rBlocks = (rows + TR - 1) / TR, cBlocks = (cols + TV * L - 1) / (TV * L);
  const int64_t units = g.N * g.groups * oBlocks * rBlocks * cBlocks;
  // Each tap's offset in x and in w (the caller's thread's, read by every share through the pointers).
  static thread_local std::vector<int64_t> xOffStore, wOffStore;
  xOffStore.resize(taps), wOffStore.resize(taps);
  int64_t *xOff = xOffStore.data(), *wOff = wOffStore.data();
  for (int64_t c = 0, t = 0; c < Cg; ++c)
    for (int64_t kh = 0; kh < g.KH; ++kh)
      for (int64_t kw = 0; kw < g.KW; ++kw, ++t)
        xOff[t] = c * g.xs[1] + kh * g.dh * g.xs[2] + kw * g.dw * g.xs[3], wOff[t] = c * g.ws[1] + kh * g.ws[2] + kw * g.ws[3];
  const int64_t step = g.sw;
  auto unit = [&](int64_t u) {
    const int64_t cb = u % cBlocks, rb = u / cBlocks % rBlocks, ob = u / (cBlocks * rBlocks) % oBlocks;
    const int64_t grp = u / (cBlocks * rBlocks * oBlocks) % g.groups, n = u / (cBlocks * rBlocks * oBlocks * g.groups);
    const int64_t o0 = ob * TO, i = i0 + rb * TR, j = j0 + cb * TV * L;
    const int64_t no = std::min<int64_t>(TO, Og - o0), nr = std::min<int64_t>(TR, i1 - i);
    int64_t lanes[TV]; // valid lanes of each vector
    for (int v = 0; v < TV; ++v) lanes[v] = std::clamp<int64_t>(j1 - (j + v * L), 0, L);
    // Rows and channels past the edge repeat the last one; their sums are not stored.
    const float *xr[TR], *wo[TO];
    for (int r = 0; r < TR; ++r)
      xr[r] = x + n * g.xs[0] + grp * Cg * g.xs[1] + (i + std::min<int64_t>(r, nr - 1)) * g.sh * g.xs[2] + j * step * g.xs[3];
    for (int o = 0; o < TO; ++o) wo[o] = w + (grp * Og + o0 + std::min<int64_t>(o, no - 1)) * g.ws[0];
    V acc[TO][TR][TV];
#pragma clang loop unroll(full)
    for (int o = 0; o < TO; ++o)
#pragma clang loop unroll(full)
      for (int r = 0; r < TR; ++r)
#pragma clang loop unroll(full)
        for (int v = 0; v < TV; ++v) acc[o][r][v] = V{};
    const bool whole = lanes[TV - 1] == L;
    for (int64_t t = 0; t < taps; ++t) {
      V wv[TO];
#pragma clang loop unroll(full)
      for (int o = 0; o < TO; ++o) wv[o] = V{} + wo[o][wOff[t]];
#pragma clang loop unroll(full)
      for (int r = 0; r < TR; ++r)
#pragma clang loop unroll(full)
        for (int v = 0; v < TV; ++v) {
          const float *p = xr[r] + xOff[t] + v * L * step;
          const V xv = whole || lanes[v] == L ? loadStep(p, step) : dotgrad::loadFirstStep(p, lanes[v], step);
#pragma clang loop unroll(full)
          for (int o = 0; o < TO; ++o) acc[o][r][v] += wv[o] * xv;
        }
    }
#pragma clang loop unroll(full)
    for (int o = 0; o < TO; ++o)
#pragma clang loop unroll(full)
      for (int r = 0; r < TR; ++r)
#pragma clang loop unroll(full)
        for (int v = 0; v < TV; ++v) {
          if (o >= no || r >= nr || lanes[v] == 0) continue;
          float *p = y + n * g.ys[0] + (grp * Og + o0 + o) * g.ys[1] + (i + r) * g.ys[2] + (j + v * L) * g.ys[3];
          const V sum = g.overwrite ? acc[o][r][v] : acc[o][r][v] + dotgrad::loadFirst(p, lanes[v]);
          if (lanes[v] == L) store(p, sum);
          else storeFirst(p, sum, lanes[v]);
        }
  };
  const int64_t shares = std::min<int64_t>(num_threads(), std::max<int64_t>(1, units / 4));
  parallel(int(shares), [&](int s) {
    for (int64_t u = units * s / shares; u < units * (s + 1) / shares; ++u) unit(u);
  });
}

/// Where this beats the GEMM and linalg's loops: up to 8 output channels a group, 8 or more taps, rows of
/// unit element stride read at stride 1 or 2.
inline bool applies(const ConvGeometry &g) {
  return g.N > 0 && g.OH > 0 && g.OW > 0 && g.O / g.groups <= 8 && g.C / g.groups * g.KH * g.KW >= 8 &&
         g.xs[3] == 1 && g.ys[3] == 1 && (g.sw == 1 || g.sw == 2);
}

/// y (+)= the convolution over output rows [i0, i1) and columns [j0, j1) (applies(g) must hold), with the
/// tile shape that wastes least on the edges (output channels, rows, the vectors' lanes; the larger tile
/// on a tie).
inline void forward(const ConvGeometry &g, const float *x, const float *w, float *y, int64_t i0, int64_t i1,
                    int64_t j0, int64_t j1) {
  if (i1 <= i0 || j1 <= j0) return;
  const int64_t Og = g.O / g.groups;
  int64_t best = -1, bestCost = 0, index = 0;
  std::apply(
      [&](auto... s) {
        ((
             [&] {
               constexpr int TO = decltype(s)::TO, TR = decltype(s)::TR, TV = decltype(s)::TV;
               const int64_t cost = (Og + TO - 1) / TO * TO * ((i1 - i0 + TR - 1) / TR * TR) *
                                    ((j1 - j0 + TV * L - 1) / (TV * L) * TV * L);
               if (best < 0 || cost < bestCost) best = index, bestCost = cost;
               ++index;
             }()),
         ...);
      },
      Shapes{});
  index = 0;
  std::apply([&](auto... s) { ((index++ == best ? run<decltype(s)>(g, x, w, y, i0, i1, j0, j1) : void()), ...); },
             Shapes{});
}

} // namespace fewout
