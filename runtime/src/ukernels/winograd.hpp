// Winograd's minimal filtering (Lavin and Gray, "Fast Algorithms for
// Convolutional Neural Networks", 2015) for the stride-1 3 x 3 convolutions.
// The forward convolution (and the input gradient's forward form) by
// F(2x2, 3x3): each 2 x 2 block of outputs from a 4 x 4 block ("tile") of the
// input in 16 products instead of 36, 16 GEMMs (one per element of the 4 x 4
// transform). The filter gradient by F(3x3, 4x4): each tile's 3 x 3
// contribution to dw from its 6 x 6 window of x and 4 x 4 block of dy, 36
// products instead of 144, 36 GEMMs. All on the register tiles of gemm.hpp.
// Tiles go in blocks small enough for their transforms to stay in L2; every
// output element is summed by one thread in a fixed order, so results do not
// depend on the thread count.
//
// Included by gemm.hpp, inside its namespace (one copy per instruction set).

namespace winograd {

/// d <- B^T d B over a 4 x 4 block of vectors (rows first), F(2x2, 3x3)'s B^T = [1 0 -1 0; 0 1 1 0;
/// 0 -1 1 0; 0 1 0 -1].
inline void input(V d[4][4]) {
  for (int s = 0; s < 4; ++s) {
    V a = d[0][s], b = d[1][s], c = d[2][s], e = d[3][s];
    d[0][s] = a - c, d[1][s] = b + c, d[2][s] = c - b, d[3][s] = b - e;
  }
  for (int r = 0; r < 4; ++r) {
    V a = d[r][0], b = d[r][1], c = d[r][2], e = d[r][3];
    d[r][0] = a - c, d[r][1] = b + c, d[r][2] = c - b, d[r][3] = b - e;
  }
}

/// y = A^T m A, the 2 x 2 outputs of a 4 x 4 block of products, F(2x2, 3x3)'s A^T = [1 1 1 0; 0 1 -1 -1].
inline void output(const V m[4][4], V y[2][2]) {
  V t[2][4];
  for (int s = 0; s < 4; ++s) t[0][s] = m[0][s] + m[1][s] + m[2][s], t[1][s] = m[1][s] - m[2][s] - m[3][s];
  for (int r = 0; r < 2; ++r) y[r][0] = t[r][0] + t[r][1] + t[r][2], y[r][1] = t[r][1] - t[r][2] - t[r][3];
}

/// The 6 x 6 input transform of Lavin and Gray's points 0, 1, -1, 2, -2 (their F(4x4, 3x3)'s), one
/// dimension at a time: B^T = [4 0 -5 0 1 0; 0 -4 -4 1 1 0; 0 4 -4 -1 1 0; 0 -2 -1 2 1 0; 0 2 -1 -2 1 0;
/// 0 4 0 -5 0 1].
struct F43 {
  static void input(const V d[6], V o[6]) {
    const V a = d[4] - 4.0f * d[2], b = d[3] - 4.0f * d[1], c = d[4] - d[2], e = 2.0f * (d[3] - d[1]);
    o[0] = 4.0f * d[0] + (d[4] - 5.0f * d[2]), o[1] = a + b, o[2] = a - b, o[3] = c + e, o[4] = c - e;
    o[5] = 4.0f * d[1] + (d[5] - 5.0f * d[3]);
  }
};

/// F(3x3, 4x4)'s (the filter gradient's: dw's 3 x 3 from 6 x 6 windows of x and 4 x 4 blocks of dy), by
/// the same points: B^T is F43's, G = F(4x4, 3x3)'s A (6 x 4) = [1 0 0 0; 1 1 1 1; 1 -1 1 -1; 1 2 4 8;
/// 1 -2 4 -8; 0 0 0 1], A^T = F(4x4, 3x3)'s G^T (3 x 6) = [1/4 -1/6 -1/6 1/24 1/24 0; 0 -1/6 1/6 1/12
/// -1/12 0; 0 -1/6 -1/6 1/6 1/6 1].
struct F34 {
  static void gradient(const V k[4], V u[6]) {
    const V a = k[0] + k[2], b = k[1] + k[3], c = k[0] + 4.0f * k[2], e = 2.0f * k[1] + 8.0f * k[3];
    u[0] = k[0], u[1] = a + b, u[2] = a - b, u[3] = c + e, u[4] = c - e, u[5] = k[3];
  }
  static void output(const V m[6], V y[3]) {
    const V a = m[1] + m[2], b = m[2] - m[1], c = m[3] + m[4], e = m[3] - m[4];
    y[0] = 0.25f * m[0] - (1.0f / 6) * a + (1.0f / 24) * c;
    y[1] = (1.0f / 6) * b + (1.0f / 12) * e;
    y[2] = (1.0f / 6) * (c - a) + m[5];
  }
};

/// A one-dimensional transform f (n values to m) applied to the columns of an n x n block, then to the rows.
template <int n, int m, class F> void both(const V (&d)[n][n], V (&o)[m][m], F f) {
  V t[m][n], in[n], out[m];
  for (int s = 0; s < n; ++s) {
    for (int r = 0; r < n; ++r) in[r] = d[r][s];
    f(in, out);
    for (int r = 0; r < m; ++r) t[r][s] = out[r];
  }
  for (int r = 0; r < m; ++r) f(t[r], o[r]);
}

/// The filter's transform U[e][o][c] = (G g G^T)[e] for o in [o0, o1) (plane e at u + e * plane), G =
/// [1 0 0; 1/2 1/2 1/2; 1/2 -1/2 1/2; 0 0 1]; L channels at a time, so that each plane gets whole vectors.
inline void filters(const ConvGeometry &g, const float *w, float *u, int64_t plane, int64_t o0, int64_t o1) {
  for (int64_t o = o0; o < o1; ++o)
    for (int64_t c0 = 0; c0 < g.C; c0 += L) {
      const int64_t n = std::min<int64_t>(L, g.C - c0);
      alignas(64) float f[3][3][L] = {};
      for (int64_t l = 0; l < n; ++l)
        for (int r = 0; r < 3; ++r)
          for (int s = 0; s < 3; ++s) f[r][s][l] = w[o * g.ws[0] + (c0 + l) * g.ws[1] + r * g.ws[2] + s * g.ws[3]];
      V k[3][3], t[4][3];
      for (int r = 0; r < 3; ++r)
        for (int s = 0; s < 3; ++s) k[r][s] = load(f[r][s]);
      for (int s = 0; s < 3; ++s) {
        t[0][s] = k[0][s], t[3][s] = k[2][s];
        t[1][s] = 0.5f * (k[0][s] + k[1][s] + k[2][s]), t[2][s] = 0.5f * (k[0][s] - k[1][s] + k[2][s]);
      }
      V e[16];
      for (int r = 0; r < 4; ++r) {
        e[4 * r + 0] = t[r][0], e[4 * r + 3] = t[r][2];
        e[4 * r + 1] = 0.5f * (t[r][0] + t[r][1] + t[r][2]), e[4 * r + 2] = 0.5f * (t[r][0] - t[r][1] + t[r][2]);
      }
      float *dst = u + o * g.C + c0;
      for (int i = 0; i < 16; ++i) {
        if (n == L) store(dst + i * plane, e[i]);
        else {
          alignas(64) float tmp[L];
          store(tmp, e[i]);
          std::memcpy(dst + i * plane, tmp, n * sizeof(float));
        }
      }
    }
}

/// Where the Winograd form applies and pays: 3 x 3, unit strides and dilations, one group, and
/// channels enough for the GEMMs' reductions and tiles. Measured (the filter gradient then by
/// F(3x3, 2x2)) on one core of a Zen 4 VM at batch 64, 16 x 16 images, forward / filter gradient (ms,
/// Winograd against the direct GEMM): 16 -> 32 channels 2.7 / 3.7 against 1.9 / 2.1, 32 -> 32 4.7 / 4.7
/// against 4.7 / 5.1, 32 -> 64 7.6 / 7.8 against 8.4 / 8.7, 64 -> 64 11.6 / 13.0 against 14.4 / 16.2;
/// ResNet-18's 64- to 512-channel layers 1.3-1.9x.
inline bool applies(const ConvGeometry &g) {
  return g.N > 0 && g.KH == 3 && g.KW == 3 && g.sh == 1 && g.sw == 1 && g.dh == 1 && g.dw == 1 && g.groups == 1 &&
         std::min(g.C, g.O) >= 32 && g.C * g.O >= 2048;
}

/// Tiles per block: their transforms (`elements` (C + O) floats a tile: 16 in the forward, 36 in the
/// filter gradient) in about 2 MB, whole register tiles (Wide's and Narrow's column counts divide 96), at
/// least `least`.
inline int64_t tilesPerBlock(int64_t C, int64_t O, int64_t T, int64_t least, int64_t elements) {
  const int64_t fit = (int64_t(2) << 20) / (4 * elements * (C + O));
  return std::min((T + L - 1) / L * L, std::max(least, fit / 96 * 96));
}

/// Each plane one cache line past a multiple of 4 KB: the transforms touch all 16 or 36 at once, and
/// planes 4 KB apart would share L1's sets.
inline int64_t planeOf(int64_t n) { return (n + 1023) / 1024 * 1024 + 16; }

/// How a group of L tiles is read and written: side by side in one row of tiles with whole windows
/// (vector loads at every other float), as two such runs of L/2 tiles (rows of tiles L/2 wide: 16 x 16
/// images with AVX-512), whole windows elsewhere (a gather), or some rows or columns missing (a checked
/// gather).
enum class Access { row, runs, whole, partial };

/// Lanes [0, L/2) from every other float at p + s, [L/2, L) from every other float at q + s; each load
/// ends at the last float used or before it.
inline V evens(const float *p, const float *q, int s) {
  if (s == 0)
    return [&]<size_t... J>(std::index_sequence<J...>) {
      return __builtin_shufflevector(load(p), load(q), (J < L / 2 ? int(2 * J) : int(L + 2 * (J - L / 2)))...);
    }(std::make_index_sequence<L>{});
  return [&]<size_t... J>(std::index_sequence<J...>) {
    return __builtin_shufflevector(load(p + s - 1), load(q + s - 1),
                                   (J < L / 2 ? int(2 * J + 1) : int(L + 2 * (J - L / 2) + 1))...);
  }(std::make_index_sequence<L>{});
}

/// N / W rows of W floats (row r at p + r * stride) as one vector of N (N / W a power of two).
template <int W, int N> auto rowsOf(const float *p, int64_t stride) {
  if constexpr (N == W) {
    float __attribute__((vector_size(4 * N))) v;
    __builtin_memcpy(&v, p, sizeof v);
    return v;
  } else {
    const auto lo = rowsOf<W, N / 2>(p, stride), hi = rowsOf<W, N / 2>(p + N / 2 / W * stride, stride);
    return [&]<size_t... J>(std::index_sequence<J...>) {
      return __builtin_shufflevector(lo, hi, int(J)...);
    }(std::make_index_sequence<N>{});
  }
}

/// The tiles of one block: per tile the offset of its window in x (4 x 4 in the forward, 6 x 6 in the
/// filter gradient) and of its block in y (the output, or dy: 2 x 2, 4 x 4), without the channel, and
/// how many of their rows and columns exist.
struct Tiles {
  std::vector<int64_t> xAt, yAt;
  std::vector<int8_t> xRows, xCols, yRows, yCols;

  /// Tiles [t0, t0 + tb) of output pixels [i0, i1) x [j0, j1) in m x m blocks (tw tiles a row, th * tw an
  /// image; windows of m + 2); TB slots.
  void plan(const ConvGeometry &g, const int64_t *ys, int64_t t0, int64_t tb, int64_t TB, int64_t i0, int64_t i1,
            int64_t j0, int64_t j1, int64_t tw, int64_t perImage, int m) {
    xAt.resize(TB), yAt.resize(TB), xRows.resize(TB), xCols.resize(TB), yRows.resize(TB), yCols.resize(TB);
    for (int64_t t = 0; t < TB; ++t) {
      if (t >= tb) {
        xAt[t] = yAt[t] = 0, xRows[t] = xCols[t] = yRows[t] = yCols[t] = 0;
        continue;
      }
      const int64_t n = (t0 + t) / perImage, r = (t0 + t) % perImage, i = i0 + m * (r / tw), j = j0 + m * (r % tw);
      xAt[t] = n * g.xs[0] + i * g.xs[2] + j * g.xs[3], yAt[t] = n * ys[0] + i * ys[2] + j * ys[3];
      xRows[t] = int8_t(std::min<int64_t>(m + 2, g.H - i)), xCols[t] = int8_t(std::min<int64_t>(m + 2, g.W - j));
      yRows[t] = int8_t(std::min<int64_t>(m, i1 - i)), yCols[t] = int8_t(std::min<int64_t>(m, j1 - j));
    }
  }

  Access access(const ConvGeometry &g, const int64_t *ys, int64_t t) const {
    bool full = true;
    for (int64_t l = 0; l < L; ++l)
      full &= xRows[t + l] == 4 && xCols[t + l] == 4 && yRows[t + l] == 2 && yCols[t + l] == 2;
    if (!full) return Access::partial;
    auto side = [&](int64_t a, int64_t n) {
      bool ok = g.xs[3] == 1 && ys[3] == 1;
      for (int64_t l = 1; l < n; ++l) ok &= xAt[a + l] == xAt[a] + 2 * l && yAt[a + l] == yAt[a] + 2 * l;
      return ok;
    };
    return side(t, L) ? Access::row : side(t, L / 2) && side(t + L / 2, L / 2) ? Access::runs : Access::whole;
  }

  /// The 4 x 4 windows of tiles t.. of one channel of x (at p), a vector of L tiles per element.
  void window(const ConvGeometry &g, const float *p, int64_t t, Access how, V d[4][4]) const {
    if (how == Access::row) {
      for (int r = 0; r < 4; ++r)
        for (int s = 0; s < 4; ++s) d[r][s] = loadStep(p + xAt[t] + r * g.xs[2] + s, 2);
    } else if (how == Access::runs) {
      for (int r = 0; r < 4; ++r)
        for (int s = 0; s < 4; ++s) d[r][s] = evens(p + xAt[t] + r * g.xs[2], p + xAt[t + L / 2] + r * g.xs[2], s);
    } else if (how == Access::whole && g.xs[3] == 1) {
      // Each tile's window a row of 4 floats at a time, L / 4 rows to a vector, then L x L transposes:
      // a vector per window element across the tiles (the gather it replaces was 7% of a ResNet-18 step).
      for (int q = 0; q < 16 / L; ++q) {
        V r[L];
        for (int l = 0; l < L; ++l) r[l] = rows(p + xAt[t + l] + q * (L / 4) * g.xs[2], g.xs[2]);
        transpose(r);
        for (int k = 0; k < L; ++k) d[(q * L + k) / 4][(q * L + k) % 4] = r[k];
      }
    } else {
      alignas(64) float e[L];
      for (int r = 0; r < 4; ++r)
        for (int s = 0; s < 4; ++s) {
          const int64_t at = r * g.xs[2] + s * g.xs[3];
          for (int64_t l = 0; l < L; ++l)
            e[l] = how == Access::whole || (r < xRows[t + l] && s < xCols[t + l]) ? p[xAt[t + l] + at] : 0.0f;
          d[r][s] = load(e);
        }
    }
  }

  /// The filter gradient's tiles t..t+L: whole (every 6 x 6 window and 4 x 4 block there, rows of unit stride,
  /// and each window's rows readable as 8 floats: inside x's last element) or partial.
  Access access6(const ConvGeometry &g, const int64_t *ys, int64_t t) const {
    if (g.xs[3] != 1 || ys[3] != 1) return Access::partial;
    const int64_t last = (g.N - 1) * g.xs[0] + (g.C - 1) * g.xs[1] + (g.H - 1) * g.xs[2] + g.W - 1;
    for (int64_t l = 0; l < L; ++l)
      if (xRows[t + l] != 6 || xCols[t + l] != 6 || yRows[t + l] != 4 || yCols[t + l] != 4 ||
          xAt[t + l] + (g.C - 1) * g.xs[1] + 5 * g.xs[2] + 7 > last)
        return Access::partial;
    return Access::whole;
  }

  /// L floats of a window read as rows of 8 (its 6 and two more): chunk q of 48 / L, from row q L / 8.
  template <int N = L> static V chunk(const float *p, int64_t stride, int q) {
    if constexpr (N >= 8) return rowsOf<8, N>(p + q * (N / 8) * stride, stride);
    else return load(p + (q / 2) * stride + (q % 2) * N);
  }

  /// The 4 x 4 blocks of tiles t.. of one channel of dy (at q, strides ys), a vector of L tiles per element:
  /// whole ones as L / 4 rows of 4 floats per tile, then L x L transposes; zeros where they do not exist.
  void block4(const int64_t *ys, const float *q, int64_t t, Access how, V k[4][4]) const {
    if (how == Access::whole) {
#pragma clang loop unroll(full)
      for (int h = 0; h < 16 / L; ++h) {
        V r[L];
        for (int l = 0; l < L; ++l) r[l] = rows(q + yAt[t + l] + h * (L / 4) * ys[2], ys[2]);
        transpose(r);
#pragma clang loop unroll(full)
        for (int e = 0; e < L; ++e) k[(h * L + e) / 4][(h * L + e) % 4] = r[e];
      }
      return;
    }
    alignas(64) float e[L];
    for (int r = 0; r < 4; ++r)
      for (int s = 0; s < 4; ++s) {
        for (int64_t l = 0; l < L; ++l)
          e[l] = r < yRows[t + l] && s < yCols[t + l] ? q[yAt[t + l] + r * ys[2] + s * ys[3]] : 0.0f;
        k[r][s] = load(e);
      }
  }

  /// The 6 x 6 windows of tiles t.. of one channel of x (at p), a vector of L tiles per element: whole ones
  /// as rows of 8 floats per tile, then L x L transposes.
  void window6(const ConvGeometry &g, const float *p, int64_t t, Access how, V d[6][6]) const {
    if (how == Access::whole) {
#pragma clang loop unroll(full)
      for (int q = 0; q < 48 / L; ++q) {
        V r[L];
        for (int l = 0; l < L; ++l) r[l] = chunk(p + xAt[t + l], g.xs[2], q);
        transpose(r);
#pragma clang loop unroll(full)
        for (int k = 0; k < L; ++k)
          if ((q * L + k) % 8 < 6) d[(q * L + k) / 8][(q * L + k) % 8] = r[k];
      }
      return;
    }
    alignas(64) float e[L];
    for (int r = 0; r < 6; ++r)
      for (int s = 0; s < 6; ++s) {
        for (int64_t l = 0; l < L; ++l)
          e[l] = r < xRows[t + l] && s < xCols[t + l] ? p[xAt[t + l] + r * g.xs[2] + s * g.xs[3]] : 0.0f;
        d[r][s] = load(e);
      }
  }

  /// L / 4 rows of 4 floats (row r at p + r * stride) as one vector.
  static V rows(const float *p, int64_t stride) { return rowsOf<4, L>(p, stride); }
};

/// The filter gradient's transforms of one block: X[e][c][t] for channels [c0, c1) of x, DY[e][o][t] for
/// [o0, o1) of dy. (A function of its own: as a lambda's captures, the sizes were reloaded after every
/// store, whose memcpy may alias anything: the 64-channel layer 5% slower.)
inline void filterGradTransforms(const ConvGeometry &g, const float *x, const float *y, const Tiles &tiles, int64_t tb,
                                 int64_t TB, int64_t c0, int64_t c1, int64_t o0, int64_t o1, float *xt, int64_t xPlane,
                                 float *dt, int64_t dPlane) {
  for (int64_t t = 0; t < tb; t += L) {
    const Access how = tiles.access6(g, g.ys, t);
    for (int64_t c = c0; c < c1; ++c) {
      V d[6][6], b[6][6];
      tiles.window6(g, x + c * g.xs[1], t, how, d);
      both(d, b, F43::input);
      for (int e = 0; e < 36; ++e) store(xt + e * xPlane + c * TB + t, b[e / 6][e % 6]);
    }
    for (int64_t o = o0; o < o1; ++o) {
      V k[4][4], b[6][6];
      tiles.block4(g.ys, y + o * g.ys[1], t, how, k);
      both(k, b, F34::gradient);
      for (int e = 0; e < 36; ++e) store(dt + e * dPlane + o * TB + t, b[e / 6][e % 6]);
    }
  }
}

/// C += A B (C = A B, `overwrite`) on one thread, with the register tile that wastes least on an M x N
/// GEMM's edges.
inline void gemmOne(int64_t M, int64_t N, int64_t K, const Strided &A, const Strided &B, const Scatter &C,
                    bool overwrite = false) {
  auto padded = [&](int64_t mr, int64_t nr) { return (M + mr - 1) / mr * mr * ((N + nr - 1) / nr * nr); };
  if (padded(Narrow::MR, Narrow::NR) < padded(Wide::MR, Wide::NR)) gemm<Narrow>(M, N, K, A, B, C, overwrite);
  else gemm<Wide>(M, N, K, A, B, C, overwrite);
}

} // namespace winograd

/// y[n, o, i, j] += sum_{c, kh, kw} x[n, c, i + kh, j + kw] w[o, c, kh, kw] (= with g.overwrite) over output
/// pixels [i0, i1) x [j0, j1), by F(2x2, 3x3) (winograd::applies(g) must hold).
inline void winogradForward(const ConvGeometry &g, const float *x, const float *w, float *y, int64_t i0, int64_t i1,
                            int64_t j0, int64_t j1) {
  using namespace winograd;
  const int64_t th = (i1 - i0 + 1) / 2, tw = (j1 - j0 + 1) / 2, perImage = th * tw, T = g.N * perImage;
  if (T <= 0) return;
  // Blocks in a multiple of the thread count, so that each thread gets as many: ResNet-18's 512-channel
  // layer at 4 x 4 has 256 tiles, 3 blocks of 96 (two threads ran 2 and 1).
  const int64_t threads = num_threads();
  int64_t TB = tilesPerBlock(g.C, g.O, T, 96, 16), blocks = (T + TB - 1) / TB;
  if (threads > 1 && blocks % threads) {
    const int64_t even = (blocks + threads - 1) / threads * threads;
    TB = ((T + even - 1) / even + L - 1) / L * L, blocks = (T + TB - 1) / TB;
  }
  const int64_t uPlane = planeOf(g.O * g.C), vPlane = planeOf(g.C * TB), mPlane = planeOf(g.O * TB);
  static thread_local std::vector<float> uStore;
  uStore.resize(16 * uPlane);
  float *u = uStore.data();
  // On all threads (512 x 512 filters: milliseconds on one), before any block needs them.
  const int64_t fshares = std::max<int64_t>(1, std::min<int64_t>(threads, g.O / 16));
  parallel(int(fshares), [&](int s) { filters(g, w, u, uPlane, g.O * s / fshares, g.O * (s + 1) / fshares); });
  auto block = [&](int64_t t0) {
    const int64_t tb = std::min(TB, T - t0);
    // Per thread: V[e][c][t] (the inputs' transforms), M[e][o][t] (the products), the GEMMs' offsets.
    static thread_local std::vector<float> vStore, mStore;
    static thread_local std::vector<int64_t> rowsC, rowsO, rowsU, cols;
    static thread_local Tiles tiles;
    vStore.resize(16 * vPlane), mStore.resize(16 * mPlane);
    rowsC.resize(g.C), rowsO.resize(g.O), rowsU.resize(g.O), cols.resize(std::max(TB, g.C));
    float *v = vStore.data(), *m = mStore.data();
    for (int64_t c = 0; c < g.C; ++c) rowsC[c] = c * TB;
    for (int64_t o = 0; o < g.O; ++o) rowsO[o] = o * TB, rowsU[o] = o * g.C;
    for (size_t t = 0; t < cols.size(); ++t) cols[t] = int64_t(t); // t for V and M, c for U
    tiles.plan(g, g.ys, t0, tb, TB, i0, i1, j0, j1, tw, perImage, 2);
    // 1. The inputs' transforms.
    for (int64_t t = 0; t < tb; t += L) {
      const Access how = tiles.access(g, g.ys, t);
      for (int64_t c = 0; c < g.C; ++c) {
        V d[4][4];
        tiles.window(g, x + c * g.xs[1], t, how, d);
        input(d);
        for (int e = 0; e < 16; ++e) store(v + e * vPlane + c * TB + t, d[e / 4][e % 4]);
      }
    }
    // 2. The 16 GEMMs: M[e] = U[e] V[e] (O x tb, a reduction over C).
    for (int e = 0; e < 16; ++e)
      gemmOne(g.O, tb, g.C, {u + e * uPlane, rowsU.data(), cols.data()}, {v + e * vPlane, rowsC.data(), cols.data()},
              {m + e * mPlane, rowsO.data(), cols.data()}, true);
    // 3. The outputs' transforms, added to y.
    for (int64_t t = 0; t < tb; t += L) {
      const Access how = tiles.access(g, g.ys, t);
      for (int64_t o = 0; o < g.O; ++o) {
        V p[4][4], r[2][2];
        for (int e = 0; e < 16; ++e) p[e / 4][e % 4] = load(m + e * mPlane + o * TB + t);
        output(p, r);
        float *q = y + o * g.ys[1];
        if (how == Access::row || how == Access::runs) {
          float *q1 = q + (how == Access::row ? tiles.yAt[t] + L : tiles.yAt[t + L / 2]);
          q += tiles.yAt[t];
          for (int k = 0; k < 2; ++k, q += g.ys[2], q1 += g.ys[2]) {
            // Interleave each tile's two output columns: tiles 0..L/2 into the first vector, the rest the second.
            V lo = [&]<size_t... J>(std::index_sequence<J...>) {
              return __builtin_shufflevector(r[k][0], r[k][1], ((J % 2) ? int(L + J / 2) : int(J / 2))...);
            }(std::make_index_sequence<L>{});
            V hi = [&]<size_t... J>(std::index_sequence<J...>) {
              return __builtin_shufflevector(r[k][0], r[k][1], ((J % 2) ? int(L + L / 2 + J / 2) : int(L / 2 + J / 2))...);
            }(std::make_index_sequence<L>{});
            if (g.overwrite) store(q, lo), store(q1, hi);
            else store(q, load(q) + lo), store(q1, load(q1) + hi);
          }
          continue;
        }
        alignas(64) float e[2][2][L];
        for (int k = 0; k < 2; ++k)
          for (int s = 0; s < 2; ++s) store(e[k][s], r[k][s]);
        for (int64_t l = 0; l < L; ++l)
          for (int k = 0; k < 2; ++k)
            for (int s = 0; s < 2; ++s)
              if (how == Access::whole || (k < tiles.yRows[t + l] && s < tiles.yCols[t + l])) {
                float &out = q[tiles.yAt[t + l] + k * g.ys[2] + s * g.ys[3]];
                out = g.overwrite ? e[k][s][l] : out + e[k][s][l];
              }
      }
    }
  };
  const int64_t shares = std::min(threads, blocks);
  // Contiguous runs of blocks per thread; each block's outputs are its own.
  parallel(int(std::max<int64_t>(shares, 1)), [&](int s) {
    for (int64_t k = blocks * s / std::max<int64_t>(shares, 1); k < blocks * (s + 1) / std::max<int64_t>(shares, 1); ++k)
      block(k * TB);
  });
}

/// dw[o, c, kh, kw] += sum_{n, i, j} dy[n, o, i, j] x[n, c, i + kh, j + kw] (= with g.overwrite) by F(3x3, 4x4)
/// (winograd::applies(g) must hold): per tile of dy's 4 x 4 blocks, M[e][o][c] += DY[e][o][t] X[e][c][t],
/// one long reduction over the tiles; then dw's 3 x 3 from each M[.][o][c]. Per block of tiles the threads
/// first transform their shares of x's and dy's channels, then each runs its share of the 36 GEMMs (whole
/// ones, or row bands of them where the count does not divide 36): every transform is computed once,
/// every element of M summed by one thread in the block order, so results do not depend on the thread
/// count. (Splitting the input channels instead had each thread transform all of dy and pack all of
/// DY[e]: the 64-channel layer ran 1.5x faster on two threads than on one.)
inline void winogradFilterGrad(const ConvGeometry &g, const float *x, float *w, const float *y) {
  using namespace winograd;
  constexpr int M = 4, E = 36; // dy's blocks and the transforms' elements
  const int64_t th = (g.OH + M - 1) / M, tw = (g.OW + M - 1) / M, perImage = th * tw, T = g.N * perImage;
  if (T <= 0) return;
  const int64_t TB = tilesPerBlock(g.C, g.O, T, 192, E), blocks = (T + TB - 1) / TB;
  const int64_t xPlane = planeOf(g.C * TB), dPlane = planeOf(g.O * TB), mPlane = planeOf(g.O * g.C);
  // X[e][c][t], DY[e][o][t] (a block's transforms), M[e][o][c] (the sums), the GEMMs' offsets: the
  // caller's, shared by the threads of its regions.
  static thread_local std::vector<float> xStore, dStore, mStore;
  static thread_local std::vector<int64_t> rowsD, rowsM, cols, colsX;
  static thread_local Tiles tileStore;
  xStore.resize(E * xPlane), dStore.resize(E * dPlane), mStore.resize(E * mPlane);
  rowsD.resize(g.O), rowsM.resize(g.O), cols.resize(std::max(TB, g.C)), colsX.resize(g.C);
  // (A worker naming a thread_local would get its own: the regions see these through references.)
  float *xt = xStore.data(), *dt = dStore.data(), *m = mStore.data();
  Tiles &tiles = tileStore;
  const int64_t *rD = rowsD.data(), *rM = rowsM.data(), *cs = cols.data(), *cX = colsX.data();
  for (int64_t o = 0; o < g.O; ++o) rowsD[o] = o * TB, rowsM[o] = o * g.C;
  for (size_t t = 0; t < cols.size(); ++t) cols[t] = int64_t(t);
  for (int64_t c = 0; c < g.C; ++c) colsX[c] = c * TB; // X[e] read as its transpose, t x c
  // Units of GEMM work: 36 GEMMs in R row bands each, R the least for which the threads get as many.
  const int64_t threads = num_threads(), R = std::min(threads / std::gcd<int64_t>(E, threads), g.O / 8);
  const int64_t units = E * R, shares = std::min(threads, units);
  auto share = [&](int64_t n, int s) { return std::pair{n * s / shares, n * (s + 1) / shares}; };
  parallel(int(shares), [&](int s) {
    auto [o0, o1] = share(g.O, s);
    for (int e = 0; e < E; ++e) std::fill(m + e * mPlane + o0 * g.C, m + e * mPlane + o1 * g.C, 0.0f);
  });
  for (int64_t k = 0; k < blocks; ++k) {
    const int64_t t0 = k * TB, tb = std::min(TB, T - t0);
    tiles.plan(g, g.ys, t0, tb, TB, 0, g.OH, 0, g.OW, tw, perImage, M);
    parallel(int(shares), [&](int s) {
      auto [c0, c1] = share(g.C, s);
      auto [o0, o1] = share(g.O, s);
      filterGradTransforms(g, x, y, tiles, tb, TB, c0, c1, o0, o1, xt, xPlane, dt, dPlane);
    });
    // Lanes past tb hold zeros (the tiles that do not exist), so each GEMM may run over whole vectors.
    parallel(int(shares), [&](int s) {
      auto [u0, u1] = share(units, s);
      for (int64_t u = u0; u < u1; ++u) {
        const int64_t e = u / R, band = u % R, r0 = g.O * band / R, r1 = g.O * (band + 1) / R;
        gemmOne(r1 - r0, g.C, tb, {dt + e * dPlane, rD + r0, cs}, {xt + e * xPlane, cs, cX}, {m + e * mPlane, rM + r0, cs});
      }
    });
  }
  // dw's 3 x 3 per (o, c), L channels at a time.
  parallel(int(shares), [&](int s) {
    auto [o0, o1] = share(g.O, s);
    for (int64_t o = o0; o < o1; ++o)
      for (int64_t ca = 0; ca < g.C; ca += L) {
        V p[6][6], r[3][3];
        for (int e = 0; e < E; ++e) {
          if (ca + L <= g.C) p[e / 6][e % 6] = load(m + e * mPlane + o * g.C + ca);
          else {
            alignas(64) float tmp[L] = {};
            std::memcpy(tmp, m + e * mPlane + o * g.C + ca, (g.C - ca) * sizeof(float));
            p[e / 6][e % 6] = load(tmp);
          }
        }
        both(p, r, F34::output);
        alignas(64) float e[3][3][L];
        for (int kh = 0; kh < 3; ++kh)
          for (int kw = 0; kw < 3; ++kw) store(e[kh][kw], r[kh][kw]);
        for (int64_t l = 0; l < L && ca + l < g.C; ++l)
          for (int kh = 0; kh < 3; ++kh)
            for (int kw = 0; kw < 3; ++kw) {
              float &out = w[o * g.ws[0] + (ca + l) * g.ws[1] + kh * g.ws[2] + kw * g.ws[3]];
              out = g.overwrite ? e[kh][kw][l] : out + e[kh][kw][l];
            }
      }
  });
}
