// Host tensors with static shapes: Array owns its elements, View borrows them.
// Generated entry points take Views, so any memory of the right size works.
#pragma once

#include "loom/rt/buffer.hpp"
#include "loom/rt/error.hpp"

#include <array>
#include <concepts>
#include <ranges>
#include <string>
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

/// An argument of a generated entry point: an Array or View of its shape, or
/// any contiguous range of its element type (std::vector, std::span, a C
/// array), whose size the entry point checks before it runs, naming itself
/// and the argument ("mnist::Model::train: argument 'x' is [100,1,28,28] (78400
/// elements), got 50176").
template <class T, long... D> class Arg {
  using E = std::remove_const_t<T>;

public:
  static constexpr std::array<long, sizeof...(D)> shape{D...};
  static constexpr long numel = (1L * ... * D);

  Arg(View<T, D...> v) : data_(v.data()), size_(numel) {}
  Arg(View<E, D...> v)
    requires std::is_const_v<T>
      : data_(v.data()), size_(numel) {}
  Arg(std::conditional_t<std::is_const_v<T>, const Array<E, D...>, Array<E, D...>> &a) : data_(a.data()), size_(numel) {}
  template <std::ranges::contiguous_range R>
    requires std::ranges::sized_range<R> && std::same_as<std::ranges::range_value_t<R>, E> &&
             std::convertible_to<decltype(std::ranges::data(std::declval<R &>())), T *>
  Arg(R &&r) : data_(std::ranges::data(r)), size_(static_cast<long>(std::ranges::size(r))) {}

  /// The elements, once their count is checked; `call` and `name` go into the message.
  T *checked(const char *call, const char *name) const {
    if (size_ != numel)
      throw Error(std::string(call) + ": argument '" + name + "' is " + shape_string(shape.data(), sizeof...(D)) +
                  " (" + std::to_string(numel) + " elements), got " + std::to_string(size_));
    return data_;
  }

private:
  T *data_;
  long size_;
};

} // namespace loom::rt
