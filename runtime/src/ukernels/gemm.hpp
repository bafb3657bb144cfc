// loom's CPU micro-kernels: one packed GEMM (C += A B, BLIS's loop nest)
// over matrices whose element (r, c) lives at base[row[r] + col[c]]. Every
// convolution and its two gradients is such a GEMM without materialising
// im2col: the packing routines gather the windows, and the output writer
// scatters into the real layout (for the input gradient that is col2im, so a
// strided convolution's gradient never multiplies dy's spread zeros).
//
// Included once per instruction set (gemm_avx512.cpp, gemm_avx2.cpp,
// gemm_generic.cpp) with LOOM_UK_ISA naming the namespace and LOOM_UK_LANES
// the vector width in floats; the runtime picks one when it starts.
#pragma once

#include "loom/rt/threads.hpp"
#include "threads_impl.hpp"
#include "ukernels.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace loom::rt::uk::LOOM_UK_ISA {

constexpr int L = LOOM_UK_LANES;
using V = float __attribute__((vector_size(L * 4)));
// Unaligned loads and stores (clang keeps a vector type's natural alignment
// even through a typedef asking for less).
inline V load(const float *p) {
  V v;
  __builtin_memcpy(&v, p, sizeof v);
  return v;
}
inline void store(float *p, V v) { __builtin_memcpy(p, &v, sizeof v); }

// Register tile MR x NR: MR * NR / L accumulators plus NR / L loads of B and
// one broadcast of A must fit the vector registers (32 with AVX-512, 16 with
// AVX2): 12 x 32 (24 + 2 + 1 zmm), 6 x 16 (12 + 2 + 1 ymm).
constexpr int NRV = 2, NR = NRV * L, MR = L == 16 ? 12 : 6;
// Cache tiles: a KC x NR panel of B stays in L1 (32 KB of 48 with AVX-512,
// next to an A panel), an MC x KC block of A in L2 (120 KB), and a KC x NC
// block of B also in L2 (1 MB of 2). Measured on a 2-core Sapphire Rapids VM
// over eight of ResNet-18's convolutions (sum of times, one thread):
// KC x NC 256 x 1024 489 ms, 256 x 512 493-572, 192 x 1024 507-520,
// 128 x 2048 533-576, 384 x 2048 (a B block of 3 MB: L3) 593-595.
constexpr int64_t KC = 256, MC = MR * (L == 16 ? 10 : 20), NC = 1024;

/// A matrix of `rows` x `cols` floats at base[row[r] + col[c]].
struct Strided {
  const float *base;
  const int64_t *row, *col;
};

/// Scratch that lives as long as the thread: no allocation per call once the
/// largest shape has been seen.
struct Scratch {
  float *a = nullptr, *b = nullptr;
  float *alloc(float *&p, size_t n) {
    if (!p) p = static_cast<float *>(std::aligned_alloc(64, ((n * sizeof(float) + 63) / 64) * 64));
    return p;
  }
  ~Scratch() { std::free(a), std::free(b); }
};
inline thread_local Scratch scratch;

/// A[ic.., pc..] into panels of MR rows: dst[panel][k][i], zeros past `mc`.
inline void packA(const Strided &A, int64_t ic, int64_t mc, int64_t pc, int64_t kc, float *dst) {
  for (int64_t ir = 0; ir < mc; ir += MR, dst += MR * kc) {
    int64_t m = std::min<int64_t>(MR, mc - ir);
    for (int64_t k = 0; k < kc; ++k) {
      int64_t ck = A.col[pc + k];
      float *d = dst + k * MR;
      for (int64_t i = 0; i < m; ++i) d[i] = A.base[A.row[ic + ir + i] + ck];
      for (int64_t i = m; i < MR; ++i) d[i] = 0;
    }
  }
}

/// Whether the L columns from col[0] are consecutive in memory (a vector's
/// worth of one row of a convolution's output: 16 of a 16- or 32-wide image).
inline bool consecutive(const int64_t *col) {
  if (col[L - 1] - col[0] != L - 1) return false;
  for (int j = 1; j < L; ++j)
    if (col[j] != col[0] + j) return false;
  return true;
}

/// B[pc.., jc..] into panels of NR columns: dst[panel][k][j], zeros past `nc`.
/// A vector's worth of columns consecutive in memory is copied as one vector.
inline void packB(const Strided &B, int64_t pc, int64_t kc, int64_t jc, int64_t nc, float *dst) {
  for (int64_t jr = 0; jr < nc; jr += NR, dst += NR * kc) {
    int64_t n = std::min<int64_t>(NR, nc - jr);
    const int64_t *col = B.col + jc + jr;
    bool vector[NRV];
    for (int v = 0; v < NRV; ++v) vector[v] = (v + 1) * L <= n && consecutive(col + v * L);
    for (int64_t k = 0; k < kc; ++k) {
      const float *src = B.base + B.row[pc + k];
      float *d = dst + k * NR;
      for (int v = 0; v < NRV; ++v) {
        if (vector[v]) {
          store(d + v * L, load(src + col[v * L]));
          continue;
        }
        if ((v + 1) * L <= n) { // a fixed count: a gather
          for (int j = v * L; j < (v + 1) * L; ++j) d[j] = src[col[j]];
          continue;
        }
        int64_t j = v * L;
        for (; j < n; ++j) d[j] = src[col[j]];
        for (; j < (v + 1) * L; ++j) d[j] = 0;
      }
    }
  }
}

/// out[row[i] + col[j]] += acc over the tile's mr x nr valid elements.
struct Scatter {
  float *base;
  const int64_t *row, *col;
};

/// The register tile: acc = sum_k a[k][0..MR) x b[k][0..NR), added into C.
inline void micro(int64_t kc, const float *a, const float *b, const Scatter &C, int64_t i0, int64_t j0, int64_t mr,
                  int64_t nr) {
  V acc[MR][NRV];
#pragma clang loop unroll(full)
  for (int i = 0; i < MR; ++i)
#pragma clang loop unroll(full)
    for (int v = 0; v < NRV; ++v) acc[i][v] = V{};
  for (int64_t k = 0; k < kc; ++k, a += MR, b += NR) {
    V bv[NRV];
#pragma clang loop unroll(full)
    for (int v = 0; v < NRV; ++v) bv[v] = load(b + v * L);
#pragma clang loop unroll(full)
    for (int i = 0; i < MR; ++i) {
      const float ai = a[i]; // splat by the multiply (a broadcast load; V{} + ai would add a zero first)
#pragma clang loop unroll(full)
      for (int v = 0; v < NRV; ++v) acc[i][v] += ai * bv[v];
    }
  }
  const int64_t *col = C.col + j0;
  bool vector[NRV];
  for (int v = 0; v < NRV; ++v) vector[v] = (v + 1) * L <= nr && consecutive(col + v * L);
  for (int64_t i = 0; i < mr; ++i) {
    float *out = C.base + C.row[i0 + i];
    for (int v = 0; v < NRV; ++v) {
      if (vector[v]) {
        store(out + col[v * L], load(out + col[v * L]) + acc[i][v]);
        continue;
      }
      alignas(64) float t[L];
      std::memcpy(t, &acc[i][v], sizeof t);
      for (int64_t j = 0; j < L && v * L + j < nr; ++j) out[col[v * L + j]] += t[j];
    }
  }
}

/// C[M x N] += A[M x K] B[K x N]. The sum over k runs in a fixed order
/// (KC blocks in turn), so results do not depend on anything but the shapes.
inline void gemm(int64_t M, int64_t N, int64_t K, const Strided &A, const Strided &B, const Scatter &C) {
  float *ap = scratch.alloc(scratch.a, MC * KC), *bp = scratch.alloc(scratch.b, KC * NC);
  // K in equal blocks of at most KC (576 as 3 x 192, not 256 + 256 + 64: a
  // short block costs a C update for little work).
  const int64_t KB = (K + (K + KC - 1) / KC - 1) / ((K + KC - 1) / KC);
  for (int64_t jc = 0; jc < N; jc += NC) {
    int64_t nc = std::min(NC, N - jc);
    for (int64_t pc = 0; pc < K; pc += KB) {
      int64_t kc = std::min(KB, K - pc);
      packB(B, pc, kc, jc, nc, bp);
      for (int64_t ic = 0; ic < M; ic += MC) {
        int64_t mc = std::min(MC, M - ic);
        packA(A, ic, mc, pc, kc, ap);
        for (int64_t jr = 0; jr < nc; jr += NR)
          for (int64_t ir = 0; ir < mc; ir += MR)
            micro(kc, ap + ir * kc, bp + jr * kc, C, ic + ir, jc + jr, std::min<int64_t>(MR, mc - ir),
                  std::min<int64_t>(NR, nc - jr));
      }
    }
  }
}

/// gemm on all threads: C's columns in shares of whole `quantum`s (NR, or an
/// image where columns of different images never write the same element: the
/// input gradient's col2im), else its rows in whole register tiles when
/// `rows` allows (rows never share an element). Each element is summed by one
/// thread in the same order as on one: results do not depend on the count,
/// except the input gradient's, whose tiles start where a share starts
/// (deterministic for a given count).
inline void gemm_threads(int64_t M, int64_t N, int64_t K, const Strided &A, const Strided &B, const Scatter &C,
                         int64_t quantum, bool rows) {
  int64_t T = num_threads();
  // Below ~1 MFLOP a share's packing and wake-up cost more than they save.
  if (T <= 1 || 2.0 * M * N * K < 1e6) return gemm(M, N, K, A, B, C);
  int64_t units = (N + quantum - 1) / quantum, rowUnits = (M + MR - 1) / MR;
  if (units >= T || !rows || rowUnits < 2) {
    int64_t shares = std::min(T, units);
    parallel(int(shares), [&](int t) {
      int64_t n0 = std::min(N, t * units / shares * quantum), n1 = std::min(N, (t + 1) * units / shares * quantum);
      if (n1 > n0) gemm(M, n1 - n0, K, A, {B.base, B.row, B.col + n0}, {C.base, C.row, C.col + n0});
    });
  } else {
    int64_t shares = std::min(T, rowUnits);
    parallel(int(shares), [&](int t) {
      int64_t m0 = std::min(M, t * rowUnits / shares * MR), m1 = std::min(M, (t + 1) * rowUnits / shares * MR);
      if (m1 > m0) gemm(m1 - m0, N, K, {A.base, A.row + m0, A.col}, B, {C.base, C.row + m0, C.col});
    });
  }
}

/// The convolutions as GEMMs (see ukernels.hpp for the geometry).
void conv2d(ConvKind kind, const ConvGeometry &g, float *x, float *w, float *y) {
  if (kind == ConvKind::input_grad_padded) {
    // dx[n, c, i, j] = sum_{o, kh, kw} dyP[n, o, i + kh dh, j + kw dw] w[o, c, KH-1-kh, KW-1-kw]: a forward
    // convolution of dyP (O channels) into dx (C channels) through a view of w transposed and flipped. It
    // also computes dx on the padding ring that col2im leaves alone, (H W) / (OH OW) times the work, so it
    // pays only where col2im's reduction (O) is short and the ring thin. Measured on one core of a Zen
    // VM (AVX2), ResNet-18 at batch 64: 64 -> 64 channels at 32 x 32 121 -> 106-111 ms; 128 -> 128 at
    // 16 x 16 80 -> 104-135 ms (a ring of 1.27x), 3 -> 64 14 -> 24 ms (3 rows of a GEMM).
    // Groups would need the transposition per group: they take col2im.
    const bool thinRing = 100 * g.H * g.W <= 115 * g.OH * g.OW;
    if (g.sh == 1 && g.sw == 1 && g.groups == 1 && g.O < 128 && g.C >= 16 && thinRing) {
      ConvGeometry f{g.N, g.O, g.H + (g.KH - 1) * g.dh, g.W + (g.KW - 1) * g.dw, g.C, g.KH, g.KW, g.H, g.W, 1, 1,
                     g.dh, g.dw, 1, {g.ys[0], g.ys[1], g.ys[2], g.ys[3]}, {g.ws[1], g.ws[0], -g.ws[2], -g.ws[3]},
                     {g.xs[0], g.xs[1], g.xs[2], g.xs[3]}};
      return conv2d(ConvKind::forward, f, y, w + (g.KH - 1) * g.ws[2] + (g.KW - 1) * g.ws[3], x);
    }
    // dy's own elements inside dyP, through col2im: a strided convolution never multiplies the spread zeros.
    ConvGeometry c = g;
    c.ys[2] *= g.sh, c.ys[3] *= g.sw;
    return conv2d(ConvKind::input_grad, c, x, w, y + (g.KH - 1) * g.dh * g.ys[2] + (g.KW - 1) * g.dw * g.ys[3]);
  }
  const int64_t Cg = g.C / g.groups, Og = g.O / g.groups, Q = Cg * g.KH * g.KW, P = g.N * g.OH * g.OW;
  // q = (c, kh, kw) and p = (n, i, j) split each operand's offset in two.
  // Offset tables grow to the largest shape a thread has seen: no allocation per call after that.
  static thread_local std::vector<int64_t> qx, qw, px, py, ow, oy;
  qx.resize(Q), qw.resize(Q), px.resize(P), py.resize(P), ow.resize(Og), oy.resize(Og);
  for (int64_t c = 0, q = 0; c < Cg; ++c)
    for (int64_t kh = 0; kh < g.KH; ++kh)
      for (int64_t kw = 0; kw < g.KW; ++kw, ++q) {
        qx[q] = c * g.xs[1] + kh * g.dh * g.xs[2] + kw * g.dw * g.xs[3];
        qw[q] = c * g.ws[1] + kh * g.ws[2] + kw * g.ws[3];
      }
  for (int64_t n = 0, p = 0; n < g.N; ++n)
    for (int64_t i = 0; i < g.OH; ++i)
      for (int64_t j = 0; j < g.OW; ++j, ++p) {
        px[p] = n * g.xs[0] + i * g.sh * g.xs[2] + j * g.sw * g.xs[3];
        py[p] = n * g.ys[0] + i * g.ys[2] + j * g.ys[3];
      }
  for (int64_t o = 0; o < Og; ++o) ow[o] = o * g.ws[0], oy[o] = o * g.ys[1];
  for (int64_t grp = 0; grp < g.groups; ++grp) {
    float *xg = x + grp * Cg * g.xs[1], *wg = w + grp * Og * g.ws[0], *yg = y + grp * Og * g.ys[1];
    switch (kind) {
    case ConvKind::forward: // y[o, p] += w[o, q] x[q, p]
      gemm_threads(Og, P, Q, {wg, ow.data(), qw.data()}, {xg, qx.data(), px.data()}, {yg, oy.data(), py.data()}, NR,
                   true);
      break;
    case ConvKind::filter_grad: // dw[o, q] += dy[o, p] x[p, q]
      gemm_threads(Og, Q, P, {yg, oy.data(), py.data()}, {xg, px.data(), qx.data()}, {wg, ow.data(), qw.data()}, NR,
                   true);
      break;
    case ConvKind::input_grad: // dx[q, p] += w[q, o] dy[o, p]: col2im through the writer, a share per image
      gemm_threads(Q, P, Og, {wg, qw.data(), ow.data()}, {yg, oy.data(), py.data()}, {xg, qx.data(), px.data()},
                   g.OH * g.OW, false);
      break;
    case ConvKind::input_grad_padded: // rewritten above
      break;
    }
  }
}

/// Matmul (batched or not) as the same GEMM, on all threads.
void matmul(const MatmulGeometry &g, const float *a, const float *b, float *c) {
  static thread_local std::vector<int64_t> ar, ac, br, bc, cr, cc;
  ar.resize(g.M), cr.resize(g.M), ac.resize(g.K), br.resize(g.K), bc.resize(g.N), cc.resize(g.N);
  for (int64_t m = 0; m < g.M; ++m) ar[m] = m * g.as[1], cr[m] = m * g.cs[1];
  for (int64_t k = 0; k < g.K; ++k) ac[k] = k * g.as[2], br[k] = k * g.bs[1];
  for (int64_t n = 0; n < g.N; ++n) bc[n] = n * g.bs[2], cc[n] = n * g.cs[2];
  for (int64_t i = 0; i < g.batch; ++i)
    gemm_threads(g.M, g.N, g.K, {a + i * g.as[0], ar.data(), ac.data()}, {b + i * g.bs[0], br.data(), bc.data()},
                 {c + i * g.cs[0], cr.data(), cc.data()}, NR, true);
}

} // namespace loom::rt::uk::LOOM_UK_ISA
