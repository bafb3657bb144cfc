// Parameter storage: the runtime owns every parameter, initialises it
// deterministically from a seed, and hands the compiled code plain pointers.
#pragma once

#include "loom/rt/buffer.hpp"
#include "loom/rt/dtype.hpp"
#include "loom/rt/error.hpp"

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace loom::rt {


struct Init {
  enum Kind { zeros, ones, constant, uniform, normal } kind = zeros;
  double a = 0, b = 0; // constant: a; uniform: [a, b); normal: mean a, std b
};

/// A parameter as the generated header declares it.
struct ParamSpec {
  const char *name;
  DType dtype;
  std::vector<long> shape;
  Init init;
  bool frozen = false; // gets no gradient (PyTorch's buffers: BatchNorm's running statistics)
};

class ParamStore {
public:
  /// Allocates every parameter and initialises it from `seed`. Each parameter
  /// draws from its own stream keyed by (seed, name), so adding a parameter
  /// does not change the others. On Device::cuda the values live in managed
  /// memory: kernels use them in place and the host still reads and writes them.
  ParamStore(std::span<const ParamSpec> specs, uint64_t seed, Device device = Device::cpu);
  Device device() const { return device_; }

  /// Re-initialises every parameter from `seed`.
  void initialize(uint64_t seed);

  std::size_t size() const { return entries_.size(); }
  const ParamSpec &spec(std::size_t i) const { return entries_.at(i).spec; }
  long numel(std::size_t i) const;
  /// Index of a parameter by name; the error lists the names there are.
  std::size_t index(const std::string &name) const;

  /// Typed pointer to a parameter's elements (checked against its dtype).
  template <class T> T *data(std::size_t i);
  template <class T> std::span<T> values(const std::string &name) {
    auto i = index(name);
    return {data<T>(i), static_cast<std::size_t>(numel(i))};
  }
  /// A parameter's bytes, whatever its dtype (snapshots of the whole store).
  std::span<std::byte> bytes(std::size_t i) { return {entries_.at(i).buf.data(), numel(i) * dtype_size(spec(i).dtype)}; }
  /// Copies `v` into the parameter; its size must match.
  void set(const std::string &name, std::span<const float> v);

private:
  struct Entry {
    ParamSpec spec;
    Buffer buf;
  };
  void *typed(std::size_t i, DType t);
  std::vector<Entry> entries_;
  Device device_;
};

template <class T> T *ParamStore::data(std::size_t i) {
  constexpr DType t = dtype_of<T>();
  return static_cast<T *>(typed(i, t));
}

} // namespace loom::rt
