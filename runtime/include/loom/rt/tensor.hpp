// Host tensors with static shapes: Array owns its elements, View borrows them.
// Generated entry points take Views, so any memory of the right size works.
#pragma once

#include "loom/rt/buffer.hpp"
#include "loom/rt/error.hpp"

#include <array>
#include <span>
#include <type_traits>

namespace loom::rt {

template <class T, long... D> class Array;

template <class T, long... D> class View {
public:
  using element_type = T;
  static constexpr int rank = sizeof...(D);
  static constexpr std::array<long, sizeof...(D)> shape{D...};
  static constexpr long numel = (1L * ... * D);

  /// From raw memory the caller vouches for (numel elements).
  explicit View(T *data) : data_(data) {
    if (!data) throw Error("View" + shape_string(shape.data(), rank) + ": null pointer");
  }
  /// From a span: its size must be the shape's element count.
  explicit View(std::span<T> s) : data_(s.data()) {
    if (static_cast<long>(s.size()) != numel)
      throw Error("View" + shape_string(shape.data(), rank) + ": expected " + std::to_string(numel) +
                  " elements, got " + std::to_string(s.size()));
  }
  View(Array<std::remove_const_t<T>, D...> &a) : data_(a.data()) {}
  View(const Array<std::remove_const_t<T>, D...> &a)
    requires std::is_const_v<T>
      : data_(a.data()) {}
  operator View<const T, D...>() const
    requires(!std::is_const_v<T>)
  {
    return View<const T, D...>(data_);
  }

  T *data() const { return data_; }
  T &operator[](long i) const { return data_[i]; }
  /// Element at a multi-index (row-major).
  template <class... I>
    requires(sizeof...(I) == sizeof...(D))
  T &operator()(I... idx) const {
    long flat = 0, k = 0;
    ((flat = flat * shape[k++] + static_cast<long>(idx)), ...);
    return data_[flat];
  }
  std::span<T> span() const { return {data_, static_cast<std::size_t>(numel)}; }

private:
  T *data_;
};

template <class T, long... D> class Array {
public:
  using element_type = T;
  static constexpr int rank = sizeof...(D);
  static constexpr std::array<long, sizeof...(D)> shape{D...};
  static constexpr long numel = (1L * ... * D);

  Array() : buf_(sizeof(T) * numel) {}
  T *data() { return reinterpret_cast<T *>(buf_.data()); }
  const T *data() const { return reinterpret_cast<const T *>(buf_.data()); }
  T &operator[](long i) { return data()[i]; }
  const T &operator[](long i) const { return data()[i]; }
  template <class... I> T &operator()(I... idx) { return View<T, D...>(*this)(idx...); }
  template <class... I> const T &operator()(I... idx) const { return View<const T, D...>(*this)(idx...); }
  std::span<T> span() { return {data(), static_cast<std::size_t>(numel)}; }
  std::span<const T> span() const { return {data(), static_cast<std::size_t>(numel)}; }

private:
  Buffer buf_;
};

} // namespace loom::rt
