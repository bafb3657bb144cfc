// Shape algebra at compile time. Every function is total (it returns a result
// even for bad input) so that the op can report the problem with one
// static_assert instead of a cascade of template errors.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>

namespace loom::shape {

template <std::size_t N> using dims = std::array<long, N>;

template <std::size_t R> struct result {
  bool ok = true;
  dims<R> d{};
};

/// numpy broadcasting of two shapes.
template <std::size_t A, std::size_t B>
constexpr result<std::max(A, B)> broadcast(const dims<A> &a, const dims<B> &b) {
  constexpr std::size_t R = std::max(A, B);
  result<R> r;
  for (std::size_t i = 0; i < R; ++i) {
    long x = i + A >= R ? a[i + A - R] : 1, y = i + B >= R ? b[i + B - R] : 1;
    if (x != y && x != 1 && y != 1) r.ok = false;
    r.d[i] = x == 1 ? y : x;
  }
  return r;
}

/// Can `from` be broadcast to exactly `to`?
template <std::size_t A, std::size_t B> constexpr bool broadcastable_to(const dims<A> &from, const dims<B> &to) {
  if (A > B) return false;
  for (std::size_t i = 0; i < A; ++i)
    if (from[i] != 1 && from[i] != to[B - A + i]) return false;
  return true;
}

/// Axes normalised (negative counts from the end); empty means all axes.
template <std::size_t R, std::size_t K> constexpr auto normalize_axes(std::array<long, K> axes) {
  if constexpr (K == 0) {
    std::array<long, R> all{};
    for (std::size_t i = 0; i < R; ++i) all[i] = static_cast<long>(i);
    return all;
  } else {
    for (auto &a : axes)
      if (a < 0) a += static_cast<long>(R);
    return axes;
  }
}

template <std::size_t R, std::size_t K> constexpr bool valid_axes(const std::array<long, K> &axes) {
  for (std::size_t i = 0; i < K; ++i) {
    if (axes[i] < 0 || axes[i] >= static_cast<long>(R)) return false;
    if (i && axes[i] <= axes[i - 1]) return false;
  }
  return true;
}

template <std::size_t R, std::size_t K>
constexpr dims<R - std::min(R, K)> remove_axes(const dims<R> &s, const std::array<long, K> &axes) {
  dims<R - std::min(R, K)> out{};
  std::size_t j = 0;
  for (std::size_t i = 0; i < R; ++i)
    if (std::find(axes.begin(), axes.end(), static_cast<long>(i)) == axes.end() && j < out.size())
      out[j++] = s[i];
  return out;
}

template <std::size_t R> constexpr long product(const dims<R> &s) {
  long n = 1;
  for (auto d : s) n *= d;
  return n;
}

template <std::size_t R> constexpr bool is_permutation(const std::array<long, R> &p) {
  std::array<bool, R> seen{};
  for (auto v : p) {
    if (v < 0 || v >= static_cast<long>(R) || seen[v]) return false;
    seen[v] = true;
  }
  return true;
}

template <std::size_t R> constexpr dims<R> permute(const dims<R> &s, const std::array<long, R> &p) {
  dims<R> out{};
  for (std::size_t i = 0; i < R; ++i) out[i] = (p[i] >= 0 && p[i] < static_cast<long>(R)) ? s[p[i]] : 1;
  return out;
}

/// reshape with at most one -1 (inferred).
template <std::size_t A, std::size_t B> constexpr result<B> reshape(const dims<A> &from, dims<B> to) {
  result<B> r;
  long known = 1;
  int inferred = -1, negatives = 0;
  for (std::size_t i = 0; i < B; ++i) {
    if (to[i] == -1) inferred = static_cast<int>(i), ++negatives;
    else if (to[i] <= 0) r.ok = false;
    else known *= to[i];
  }
  if (negatives > 1) r.ok = false;
  if (inferred >= 0) to[inferred] = known > 0 && product(from) % known == 0 ? product(from) / known : 1;
  r.d = to;
  if (product(to) != product(from)) r.ok = false;
  return r;
}

} // namespace loom::shape
