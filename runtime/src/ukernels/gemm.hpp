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
#include <numeric>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>
#if defined(__x86_64__)
#include <immintrin.h>
#endif

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
using VI = int32_t __attribute__((vector_size(L * 4)));
inline const VI kLanes = []<size_t... J>(std::index_sequence<J...>) { return VI{int32_t(J)...}; }(std::make_index_sequence<L>{});

// Register tiles MR x NR: MR * NR / L accumulators plus NR / L loads of B and
// one broadcast of A must fit the vector registers (32 with AVX-512, 16 with
// AVX2 and SSE). Two shapes, and each GEMM takes the one that wastes least on
// its edges: 12 x 2L (AVX-512: 24 + 2 + 1 zmm) and 8 x 3L (24 + 3 + 1), or
// 6 x 2L and 4 x 3L with 16 registers. A 64-row GEMM (ResNet's first stage)
// fills 8-row tiles exactly but wastes 8 of 72 rows in 12-row ones; a
// 64-column one (a 1x1 filter gradient) fills 2L columns but wastes 32 of 96
// in 3L.
template <int MR_, int NRV_> struct Tile {
  static constexpr int MR = MR_, NRV = NRV_, NR = NRV * L;
  // Cache tiles: an MR x KC panel of A stays in L1, a KC x NC block of B in
  // L2 (1 MB of 2 with KC x NC = 256 x 1024) and an MC x KC block of A in L2
  // (~120 KB). Measured on a 2-core Sapphire Rapids VM over eight of
  // ResNet-18's convolutions (sum of times, one thread, the 12 x 32 tile, B's
  // panels then in L1): KC x NC 256 x 1024 489 ms, 256 x 512 493-572,
  // 192 x 1024 507-520, 128 x 2048 533-576, 384 x 2048 (a B block of 3 MB:
  // L3) 593-595; on a Zen 4 VM (1 MB L2) KC 128 to 512 and NC 512 to 2048
  // were within its noise (5%) of these.
  static constexpr int64_t KC = 256, MC = 120 / MR * MR, NC = 1024 / NR * NR;
};
using Wide = Tile<L == 16 ? 12 : 6, 2>;   // the default
using Narrow = Tile<L == 16 ? 8 : 4, 3>; // for row counts that are multiples of 8 (4) but not 12 (6)

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


/// 1 or 2 where the L offsets from off[0] step by it in memory, else 0.
inline int64_t unitStep(const int64_t *off) {
  const int64_t step = off[1] - off[0];
  if (step != 1 && step != 2) return 0;
  for (int t = 2; t < L; ++t)
    if (off[t] != off[0] + t * step) return 0;
  return step;
}

/// s where the L offsets from off[0] are two runs of consecutive floats,
/// [0, s) and [s, L), the second after the first in memory (a row of an
/// image that is not a multiple of L wide, and the next), else 0. Then a
/// vector load at either run's start, minus s for the second, stays inside
/// [off[0], off[L - 1]].
inline int twoRuns(const int64_t *off) {
  int s = 0;
  for (int t = 1; t < L; ++t)
    if (off[t] != off[t - 1] + 1) {
      if (s || off[t] < off[t - 1]) return 0;
      s = t;
    }
  return s;
}

/// Stage h of Eklundh's transpose of r[0..L) as L x L: swaps the h-blocks
/// off the diagonal of each 2h x 2h block (one two-source shuffle per vector).
template <int h, size_t... J> void transposeStage(V *r, std::index_sequence<J...>) {
  for (int i = 0; i < L; ++i) {
    if (i & h) continue;
    V a = r[i], b = r[i + h];
    r[i] = __builtin_shufflevector(a, b, ((J & h) ? int(L + J - h) : int(J))...);
    r[i + h] = __builtin_shufflevector(a, b, ((J & h) ? int(L + J) : int(J + h))...);
  }
}
inline void transpose(V *r) {
  using Lanes = std::make_index_sequence<L>;
  if constexpr (L >= 16) transposeStage<8>(r, Lanes{});
  if constexpr (L >= 8) transposeStage<4>(r, Lanes{});
  transposeStage<2>(r, Lanes{});
  transposeStage<1>(r, Lanes{});
}

/// L floats at p, p + step, ... (step 1 or 2: a strided convolution's
/// window). The second load ends at the last float used: nothing past it is
/// read.
inline V loadStep(const float *p, int64_t step) {
  if (step == 1) return load(p);
  V a = load(p), b = load(p + L - 1);
  return [&]<size_t... J>(std::index_sequence<J...>) {
    return __builtin_shufflevector(a, b, (2 * J < L ? int(2 * J) : int(2 * J + 1))...);
  }(std::make_index_sequence<L>{});
}

/// A[ic.., pc..] into panels of MR rows: dst[panel][k][i], zeros past `mc`.
/// Where L columns are consecutive in memory (or every other float), the
/// panel's rows are loaded by vector and transposed in registers; each
/// transposed row is stored whole (L floats), the part past MR overwritten by
/// the next row, or by the next panel, or landing in the scratch's slack.
template <int MR> void packA(const Strided &A, int64_t ic, int64_t mc, int64_t pc, int64_t kc, float *dst) {
  for (int64_t ir = 0; ir < mc; ir += MR, dst += MR * kc) {
    const int64_t m = std::min<int64_t>(MR, mc - ir), *row = A.row + ic + ir, *col = A.col + pc;
    for (int64_t k = 0; k < kc;) {
      if constexpr (MR <= L) {
        if (k % L == 0 && k + L <= kc)
          if (int64_t step = unitStep(col + k)) {
            V r[L];
            for (int i = 0; i < L; ++i) r[i] = i < m ? loadStep(A.base + row[i] + col[k], step) : V{};
            transpose(r);
            for (int t = 0; t < L; ++t) store(dst + (k + t) * MR, r[t]);
            k += L;
            continue;
          }
      }
      float *d = dst + k * MR;
      for (int64_t i = 0; i < m; ++i) d[i] = A.base[row[i] + col[k]];
      for (int64_t i = m; i < MR; ++i) d[i] = 0;
      ++k;
    }
  }
}

/// B[pc.., jc..] into panels of NR columns: dst[panel][k][j], zeros past `nc`.
/// A vector's worth of columns consecutive in memory (or every other float:
/// a stride-2 window) is copied as one vector;
/// where instead L rows are (the filter gradient's x, whose rows are output
/// pixels and columns (c, kh, kw) taps), each column's L rows are loaded as
/// one vector and L x L blocks transposed in registers: a scalar gather moved
/// about one float a cycle, which was a third of the 64-channel filter
/// gradient's time.
template <int NRV, int NR = NRV * L> void packB(const Strided &B, int64_t pc, int64_t kc, int64_t jc, int64_t nc, float *dst) {
  for (int64_t jr = 0; jr < nc; jr += NR, dst += NR * kc) {
    int64_t n = std::min<int64_t>(NR, nc - jr);
    const int64_t *col = B.col + jc + jr;
    // How each vector's worth of columns is read: one load (with its step,
    // 1 or 2), two loads meeting at lane split[v], or a gather.
    int64_t vector[NRV], split[NRV];
    VI low[NRV]; // lanes below split[v]
    bool allVector = true;
    for (int v = 0; v < NRV; ++v) {
      vector[v] = (v + 1) * L <= n ? unitStep(col + v * L) : 0;
      split[v] = vector[v] || (v + 1) * L > n ? 0 : twoRuns(col + v * L);
      low[v] = kLanes < VI{} + int(split[v]);
      allVector &= vector[v] != 0;
    }
    // Rows k.. as L x L blocks transposed in registers, where L rows step evenly.
    auto rowBlock = [&](int64_t k) { return !allVector && k % L == 0 && k + L <= kc ? unitStep(B.row + pc + k) : 0; };
    for (int64_t k = 0; k < kc;) {
      if (int64_t step = rowBlock(k)) {
        const float *src = B.base + B.row[pc + k];
        for (int v = 0; v < NRV; ++v) {
          V r[L];
          for (int j = 0; j < L; ++j) r[j] = v * L + j < n ? loadStep(src + col[v * L + j], step) : V{};
          transpose(r);
          for (int t = 0; t < L; ++t) store(dst + (k + t) * NR + v * L, r[t]);
        }
        k += L;
        continue;
      }
      // Rows [k, e) column vector by column vector: one way of reading each, decided above.
      int64_t e = k + 1;
      while (e < kc && !rowBlock(e)) ++e;
      for (int v = 0; v < NRV; ++v) {
        const int64_t *cv = col + v * L;
        float *d = dst + v * L;
        if (int64_t step = vector[v]) {
          for (int64_t i = k; i < e; ++i) store(d + i * NR, loadStep(B.base + B.row[pc + i] + cv[0], step));
        } else if (int64_t t = split[v]) { // both loads stay inside [cv[0], cv[L - 1]]
          for (int64_t i = k; i < e; ++i) {
            const float *src = B.base + B.row[pc + i];
            VI lo = VI(load(src + cv[0])), hi = VI(load(src + cv[t] - t));
            store(d + i * NR, V((lo & low[v]) | (hi & ~low[v])));
          }
        } else if ((v + 1) * L <= n) { // a fixed count: a gather
          for (int64_t i = k; i < e; ++i) {
            const float *src = B.base + B.row[pc + i];
            for (int j = 0; j < L; ++j) d[i * NR + j] = src[cv[j]];
          }
        } else {
          const int64_t m = n - v * L; // valid columns of this vector, < L
          for (int64_t i = k; i < e; ++i) {
            const float *src = B.base + B.row[pc + i];
            int64_t j = 0;
            for (; j < m; ++j) d[i * NR + j] = src[cv[j]];
            for (; j < L; ++j) d[i * NR + j] = 0;
          }
        }
      }
      k = e;
    }
  }
}

/// out[row[i] + col[j]] += acc over the tile's mr x nr valid elements.
struct Scatter {
  float *base;
  const int64_t *row, *col;
};

/// acc's L floats to p, p + 2, ..., p + 2 (L - 1), added to what they hold or stored (`overwrite`); the floats
/// between are not touched (masked: nothing past the last is read or written). A strided convolution's
/// input gradient writes so (col2im at stride 2): one float at a time, its tiles' writes had taken longer
/// than their multiplications at short reductions.
inline void spread(float *p, V acc, bool overwrite) {
  const V zero{};
  V lo = [&]<size_t... J>(std::index_sequence<J...>) {
    return __builtin_shufflevector(acc, zero, (J % 2 ? L : int(J / 2))...);
  }(std::make_index_sequence<L>{});
  V hi = [&]<size_t... J>(std::index_sequence<J...>) {
    return __builtin_shufflevector(acc, zero, (J % 2 ? L : int(L / 2 + J / 2))...);
  }(std::make_index_sequence<L>{});
#if LOOM_UK_LANES == 16 && defined(__AVX512F__)
  constexpr __mmask16 even = 0x5555;
  if (!overwrite) lo += V(_mm512_maskz_loadu_ps(even, p)), hi += V(_mm512_maskz_loadu_ps(even, p + L));
  _mm512_mask_storeu_ps(p, even, __m512(lo)), _mm512_mask_storeu_ps(p + L, even, __m512(hi));
#elif LOOM_UK_LANES == 8 && defined(__AVX2__)
  const __m256i even = __m256i((kLanes & 1) == 0);
  if (!overwrite) lo += V(_mm256_maskload_ps(p, even)), hi += V(_mm256_maskload_ps(p + L, even));
  _mm256_maskstore_ps(p, even, __m256(lo)), _mm256_maskstore_ps(p + L, even, __m256(hi));
#else
  for (int j = 0; j < L; ++j) p[2 * j] = overwrite ? acc[j] : p[2 * j] + acc[j];
#endif
}

/// The register tile: acc = sum_k a[k][0..MR) x b[k][0..NR), added into C (or stored, `overwrite`).
/// step[v]: C's columns [j0 + v L, j0 + (v + 1) L) are L consecutive floats (1), every other float (2) or
/// neither (0) (gemm works it out once per panel of columns, not per tile). Every loop over the tile is unrolled, so that the accumulators stay in
/// registers: indexed at run time, they lived on the stack (a memset, a spill and a reload per tile: a
/// quarter of the time of the 3-channel stem's 27-long reductions).
template <int MR, int NRV, int NR = NRV * L>
void micro(int64_t kc, const float *a, const float *b, const Scatter &C, int64_t i0, int64_t j0, int64_t mr,
           int64_t nr, bool overwrite, const int8_t *step) {
  // C's rows lie a channel apart (kilobytes) and C is swept once per KC
  // block, so its lines come from L3 or memory: ask for them now, and the
  // k loop hides the wait (as BLIS's kernels do). Measured: the C update's
  // loads took 9.5% of this function's time before. (Stores that overwrite
  // need the lines too.)
  float *out[MR];
  int64_t col[NRV];
#pragma clang loop unroll(full)
  for (int v = 0; v < NRV; ++v) col[v] = C.col[j0 + std::min<int64_t>(v * L, nr - 1)];
#pragma clang loop unroll(full)
  for (int i = 0; i < MR; ++i) {
    out[i] = C.base + C.row[i0 + std::min<int64_t>(i, mr - 1)];
#pragma clang loop unroll(full)
    for (int v = 0; v < NRV; ++v)
      if (i < mr && v * L < nr) __builtin_prefetch(out[i] + col[v], 1, 3);
  }
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
#pragma clang loop unroll(full)
  for (int i = 0; i < MR; ++i)
#pragma clang loop unroll(full)
    for (int v = 0; v < NRV; ++v) {
      if (i >= mr || v * L >= nr) continue;
      if (step[v] == 1) {
        float *o = out[i] + col[v];
        store(o, overwrite ? acc[i][v] : load(o) + acc[i][v]);
        continue;
      }
      if (step[v] == 2) {
        spread(out[i] + col[v], acc[i][v], overwrite);
        continue;
      }
      const int64_t *cols = C.col + j0 + v * L;
      for (int64_t j = 0; j < L && v * L + j < nr; ++j)
        out[i][cols[j]] = overwrite ? acc[i][v][j] : out[i][cols[j]] + acc[i][v][j];
    }
}

/// C[M x N] += A[M x K] B[K x N], or C = A B with `overwrite` (C's old values are not read: no zero fill
/// before). The sum over k runs in a fixed order (KC blocks in turn), so results do not depend on
/// anything but the shapes.
template <class T>
void gemm(int64_t M, int64_t N, int64_t K, const Strided &A, const Strided &B, const Scatter &C, bool overwrite = false) {
  constexpr int MR = T::MR, NR = T::NR;
  constexpr int64_t KC = T::KC, MC = T::MC, NC = T::NC;
  if (K <= 0) { // no products: C keeps its values, or is zero
    if (overwrite)
      for (int64_t i = 0; i < M; ++i)
        for (int64_t j = 0; j < N; ++j) C.base[C.row[i] + C.col[j]] = 0;
    return;
  }
  // One scratch for both tiles: sized for the larger.
  // (A's with L floats of slack: packA's last row stores a whole vector.)
  constexpr int64_t kA = std::max(Wide::MC, Narrow::MC) * KC + L, kB = KC * std::max(Wide::NC, Narrow::NC);
  float *ap = scratch.alloc(scratch.a, kA), *bp = scratch.alloc(scratch.b, kB);
  // K in equal blocks of at most KC (576 as 3 x 192, not 256 + 256 + 64: a
  // short block costs a C update for little work).
  const int64_t KB = (K + (K + KC - 1) / KC - 1) / ((K + KC - 1) / KC);
  for (int64_t jc = 0; jc < N; jc += NC) {
    int64_t nc = std::min(NC, N - jc);
    int8_t step[NC / L]; // C's columns L at a time (micro's `step`)
    for (int64_t u = 0; u < NC / L; ++u) step[u] = int8_t((u + 1) * L <= nc ? unitStep(C.col + jc + u * L) : 0);
    for (int64_t pc = 0; pc < K; pc += KB) {
      int64_t kc = std::min(KB, K - pc);
      packB<T::NRV>(B, pc, kc, jc, nc, bp);
      for (int64_t ic = 0; ic < M; ic += MC) {
        int64_t mc = std::min(MC, M - ic);
        packA<MR>(A, ic, mc, pc, kc, ap);
        // An A panel (MR x kc, 6-12 KB) stays in L1 while B's panels stream
        // past it from L2: on Zen 4's 32 KB L1 the other order (a 24-36 KB B
        // panel in L1 beside the A panels) measured 3% slower over ResNet-18's
        // convolutions.
        for (int64_t ir = 0; ir < mc; ir += MR)
          for (int64_t jr = 0; jr < nc; jr += NR)
            micro<MR, T::NRV>(kc, ap + ir * kc, bp + jr * kc, C, ic + ir, jc + jr, std::min<int64_t>(MR, mc - ir),
                              std::min<int64_t>(NR, nc - jr), overwrite && pc == 0, step + jr / L);
      }
    }
  }
}

/// T's gemm on all threads: C's columns in shares of whole `quantum`s (T's NR
/// when 0, or an image where columns of different images never write the
/// same element: the input gradient's col2im), else its rows in whole
/// register tiles when `rows` allows (rows never share an element). Each
/// element is summed by one thread in the same order as on one: results do
/// not depend on the count, except the input gradient's, whose tiles start
/// where a share starts (deterministic for a given count).
template <class T>
void gemm_threads(int64_t M, int64_t N, int64_t K, const Strided &A, const Strided &B, const Scatter &C,
                  int64_t quantum, bool rows, bool overwrite) {
  constexpr int MR = T::MR;
  if (quantum == 0) quantum = T::NR;
  int64_t threads = num_threads();
  // Below ~1 MFLOP a share's packing and wake-up cost more than they save.
  if (threads <= 1 || 2.0 * M * N * K < 1e6) return gemm<T>(M, N, K, A, B, C, overwrite);
  int64_t units = (N + quantum - 1) / quantum, rowUnits = (M + MR - 1) / MR;
  if (units >= threads || !rows || rowUnits < 2) {
    int64_t shares = std::min(threads, units);
    parallel(int(shares), [&](int t) {
      int64_t n0 = std::min(N, t * units / shares * quantum), n1 = std::min(N, (t + 1) * units / shares * quantum);
      if (n1 > n0) gemm<T>(M, n1 - n0, K, A, {B.base, B.row, B.col + n0}, {C.base, C.row, C.col + n0}, overwrite);
    });
  } else {
    int64_t shares = std::min(threads, rowUnits);
    parallel(int(shares), [&](int t) {
      int64_t m0 = std::min(M, t * rowUnits / shares * MR), m1 = std::min(M, (t + 1) * rowUnits / shares * MR);
      if (m1 > m0) gemm<T>(m1 - m0, N, K, {A.base, A.row + m0, A.col}, B, {C.base, C.row + m0, C.col}, overwrite);
    });
  }
}

/// The tile whose edges waste least for an M x N GEMM (the wide one on a tie,
/// and whenever the image quantum of col2im decides the columns' shares).
inline void gemm_threads(int64_t M, int64_t N, int64_t K, const Strided &A, const Strided &B, const Scatter &C,
                         int64_t quantum, bool rows, bool overwrite) {
  auto padded = [&](int64_t mr, int64_t nr) { return (M + mr - 1) / mr * mr * ((N + nr - 1) / nr * nr); };
  if (padded(Narrow::MR, Narrow::NR) < padded(Wide::MR, Wide::NR))
    return gemm_threads<Narrow>(M, N, K, A, B, C, quantum, rows, overwrite);
  gemm_threads<Wide>(M, N, K, A, B, C, quantum, rows, overwrite);
}

/// Zeros the elements of an [N, C, H, W] view (strides s) outside rows [r0, r1) x columns [c0, c1), on all
/// threads (an empty interior: all of it). An overwriting convolution's output where its GEMMs do not reach:
/// col2im's, which only adds, and the ring around the interior that an input gradient's forward form computes.
inline void zeroOutside(float *x, const int64_t *s, int64_t N, int64_t C, int64_t H, int64_t W, int64_t r0, int64_t r1,
                        int64_t c0, int64_t c1) {
  if (r0 >= r1 || c0 >= c1) r0 = r1 = c0 = c1 = 0;
  if (r0 == 0 && r1 == H && c0 == 0 && c1 == W) return;
  const int64_t planes = N * C, shares = std::min<int64_t>(num_threads(), std::max<int64_t>(1, planes * H * W / 65536));
  parallel(int(shares), [&](int t) {
    for (int64_t pl = planes * t / shares; pl < planes * (t + 1) / shares; ++pl) {
      float *p = x + pl / C * s[0] + pl % C * s[1];
      for (int64_t r = 0; r < H; ++r) {
        float *row = p + r * s[2];
        const bool inside = r >= r0 && r < r1; // there only the columns left and right of the interior
        for (int64_t q = 0; q < (inside ? c0 : W); ++q) row[q * s[3]] = 0;
        for (int64_t q = inside ? c1 : W; q < W; ++q) row[q * s[3]] = 0;
      }
    }
  });
}

#include "filter_grad.hpp"
#include "few_outputs.hpp"
#include "winograd.hpp"

/// One convolution's GEMM over output pixels [i0, i1) x [j0, j1).
void conv2dPixels(ConvKind kind, const ConvGeometry &g, float *x, float *w, float *y, int64_t i0, int64_t i1, int64_t j0,
                  int64_t j1) {
  const int64_t Cg = g.C / g.groups, Og = g.O / g.groups, Q = Cg * g.KH * g.KW, P = g.N * (i1 - i0) * (j1 - j0);
  if (kind == ConvKind::input_grad && g.overwrite) zeroOutside(x, g.xs, g.N, g.C, g.H, g.W, 0, 0, 0, 0);
  if (P <= 0 && !(kind == ConvKind::filter_grad && g.overwrite)) return; // (no pixels: the GEMM zeros dw)
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
    for (int64_t i = i0; i < i1; ++i)
      for (int64_t j = j0; j < j1; ++j, ++p) {
        px[p] = n * g.xs[0] + i * g.sh * g.xs[2] + j * g.sw * g.xs[3];
        py[p] = n * g.ys[0] + i * g.ys[2] + j * g.ys[3];
      }
  for (int64_t o = 0; o < Og; ++o) ow[o] = o * g.ws[0], oy[o] = o * g.ys[1];
  for (int64_t grp = 0; grp < g.groups; ++grp) {
    float *xg = x + grp * Cg * g.xs[1], *wg = w + grp * Og * g.ws[0], *yg = y + grp * Og * g.ys[1];
    switch (kind) {
    case ConvKind::forward: // y[o, p] += w[o, q] x[q, p]
      gemm_threads(Og, P, Q, {wg, ow.data(), qw.data()}, {xg, qx.data(), px.data()}, {yg, oy.data(), py.data()}, 0,
                   true, g.overwrite);
      break;
    case ConvKind::filter_grad: // dw[o, q] += dy[o, p] x[p, q]
      gemm_threads(Og, Q, P, {yg, oy.data(), py.data()}, {xg, px.data(), qx.data()}, {wg, ow.data(), qw.data()}, 0,
                   true, g.overwrite);
      break;
    case ConvKind::input_grad: // dx[q, p] += w[q, o] dy[o, p]: col2im through the writer, a share per image
      // (Windows overlap: col2im only adds, so an overwriting call zeroed dx first.)
      gemm_threads(Q, P, Og, {wg, qw.data(), ow.data()}, {yg, oy.data(), py.data()}, {xg, qx.data(), px.data()},
                   P / g.N, false, false);
      break;
    case ConvKind::input_grad_padded: // conv2d rewrites it
      break;
    }
  }
}

/// The convolutions as GEMMs (see ukernels.hpp for the geometry).
void conv2d(ConvKind kind, const ConvGeometry &g, float *x, float *w, float *y) {
  if (kind == ConvKind::input_grad_padded) {
    // dx[n, c, i, j] = sum_{o, kh, kw} dyP[n, o, i + kh dh, j + kw dw] w[o, c, KH-1-kh, KW-1-kw]: a forward
    // convolution of dyP (O channels) into dx (C channels) through a view of w transposed and flipped, over
    // dx's pixels but its border (the padding's gradient, which nobody reads). Where no border is known dead,
    // it computes dx on the padding ring too, which col2im leaves alone: (H W) / (OH OW) times the work,
    // paid only where col2im's reduction (O) is short and the ring thin. Measured on one core of a Zen VM
    // (AVX2), ResNet-18 at batch 64, no border known: 64 -> 64 channels at 32 x 32 121 -> 106-111 ms;
    // 128 -> 128 at 16 x 16 80 -> 104-135 ms (a ring of 1.27x), 3 -> 64 14 -> 24 ms (3 rows of a GEMM); on a
    // Zen 4 VM with the border skipped, 64 -> 64 68 -> 57 ms, but 128 -> 128 and wider still slower than
    // col2im (53 -> 56 ms, 512 -> 512 at 4 x 4 50 -> 65 ms). Groups would need the transposition per group:
    // they take col2im.
    const int64_t liveH = g.H - g.border[0] - g.border[2], liveW = g.W - g.border[1] - g.border[3];
    const bool thinRing = 100 * liveH * liveW <= 115 * g.OH * g.OW;
    ConvGeometry f{g.N, g.O, g.H + (g.KH - 1) * g.dh, g.W + (g.KW - 1) * g.dw, g.C, g.KH, g.KW, g.H, g.W, 1, 1,
                   g.dh, g.dw, 1, {g.ys[0], g.ys[1], g.ys[2], g.ys[3]}, {g.ws[1], g.ws[0], -g.ws[2], -g.ws[3]},
                   {g.xs[0], g.xs[1], g.xs[2], g.xs[3]}};
    f.overwrite = g.overwrite;
    float *flipped = w + (g.KH - 1) * g.ws[2] + (g.KW - 1) * g.ws[3];
    const bool unit = g.sh == 1 && g.sw == 1 && g.groups == 1;
    const int64_t r0 = g.border[0], r1 = g.H - g.border[2], c0 = g.border[1], c1 = g.W - g.border[3];
    // The forward form writes dx's interior: an overwriting call zeros the ring around it.
    auto ring = [&] {
      if (g.overwrite) zeroOutside(x, g.xs, g.N, g.C, g.H, g.W, r0, r1, c0, c1);
    };
    // In Winograd's form (2.25x fewer products) the forward form beats col2im at every width with a thin
    // ring: ResNet-18's 128 -> 128 input gradient at 16 x 16, one core of a Zen 4 VM, 57.5 (col2im) -> 32-43 ms.
    if (unit && thinRing && winograd::applies(f)) return ring(), winogradForward(f, y, flipped, x, r0, r1, c0, c1);
    if (unit && thinRing && fewout::applies(f)) // dx with few channels (a 3-channel stem's)
      return ring(), fewout::forward(f, y, flipped, x, r0, r1, c0, c1);
    if (unit && g.O < 128 && g.C >= 16 && thinRing)
      return ring(), conv2dPixels(ConvKind::forward, f, y, flipped, x, r0, r1, c0, c1);
    // dy's own elements inside dyP, through col2im: a strided convolution never multiplies the spread zeros.
    ConvGeometry c = g;
    c.ys[2] *= g.sh, c.ys[3] *= g.sw;
    return conv2d(ConvKind::input_grad, c, x, w, y + (g.KH - 1) * g.dh * g.ys[2] + (g.KW - 1) * g.dw * g.ys[3]);
  }
  if (kind == ConvKind::forward && winograd::applies(g)) return winogradForward(g, x, w, y, 0, g.OH, 0, g.OW);
  if (kind == ConvKind::forward && fewout::applies(g)) return fewout::forward(g, x, w, y, 0, g.OH, 0, g.OW);
  if (kind == ConvKind::filter_grad && winograd::applies(g)) return winogradFilterGrad(g, x, w, y);
  if (kind == ConvKind::filter_grad && dotgrad::applies(g)) return dotgrad::filterGrad(g, x, w, y);
  conv2dPixels(kind, g, x, w, y, 0, g.OH, 0, g.OW);
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
                 {c + i * g.cs[0], cr.data(), cc.data()}, 0, true, false);
}

} // namespace loom::rt::uk::LOOM_UK_ISA
