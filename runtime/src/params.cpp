#include "loom/rt/params.hpp"
#include "loom/rt/philox.hpp"

#include <cmath>
#include <cstring>

namespace loom::rt {

namespace {

uint64_t fnv1a(const char *s) {
  uint64_t h = 1469598103934665603ull;
  for (; *s; ++s) h = (h ^ static_cast<unsigned char>(*s)) * 1099511628211ull;
  return h;
}

void fill(const ParamSpec &p, void *out, long n, uint64_t seed) {
  uint64_t k = seed ^ fnv1a(p.name);
  std::array<uint32_t, 2> key{uint32_t(k), uint32_t(k >> 32)};
  auto value = [&](long i) -> double {
    switch (p.init.kind) {
    case Init::zeros: return 0;
    case Init::ones: return 1;
    case Init::constant: return p.init.a;
    case Init::uniform: return p.init.a + (p.init.b - p.init.a) * Philox4x32::uniform(key, i);
    case Init::normal: { // Box-Muller on two independent draws
      double u1 = 1.0 - Philox4x32::uniform(key, 2 * uint64_t(i));
      double u2 = Philox4x32::uniform(key, 2 * uint64_t(i) + 1);
      return p.init.a + p.init.b * std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
    }
    }
    return 0;
  };
  for (long i = 0; i < n; ++i) {
    double v = value(i);
    switch (p.dtype) {
    case DType::f32: static_cast<float *>(out)[i] = static_cast<float>(v); break;
    case DType::i1: static_cast<bool *>(out)[i] = v != 0; break;
    case DType::i32: static_cast<int32_t *>(out)[i] = static_cast<int32_t>(v); break;
    case DType::i64: static_cast<int64_t *>(out)[i] = static_cast<int64_t>(v); break;
    }
  }
}

} // namespace

ParamStore::ParamStore(std::span<const ParamSpec> specs, uint64_t seed, Device device) : device_(device) {
  for (const ParamSpec &s : specs) {
    long n = 1;
    for (long d : s.shape) n *= d;
    entries_.push_back({s, Buffer(n * dtype_size(s.dtype), device)});
  }
  initialize(seed);
}

void ParamStore::initialize(uint64_t seed) {
  for (std::size_t i = 0; i < entries_.size(); ++i) fill(entries_[i].spec, entries_[i].buf.data(), numel(i), seed);
}

long ParamStore::numel(std::size_t i) const {
  long n = 1;
  for (long d : entries_.at(i).spec.shape) n *= d;
  return n;
}

std::size_t ParamStore::index(const std::string &name) const {
  std::string have;
  for (std::size_t i = 0; i < entries_.size(); ++i) {
    if (name == entries_[i].spec.name) return i;
    have += (i ? ", " : "") + std::string(entries_[i].spec.name);
  }
  throw Error("no parameter named '" + name + "' (the model has: " + have + ")");
}

void *ParamStore::typed(std::size_t i, DType t) {
  if (i >= entries_.size())
    throw Error("parameter index " + std::to_string(i) + " out of range (" + std::to_string(entries_.size()) +
                " parameters)");
  const ParamSpec &s = entries_[i].spec;
  if (s.dtype != t)
    throw Error(std::string("parameter '") + s.name + "' is " + dtype_name(s.dtype) + ", not " + dtype_name(t));
  return entries_[i].buf.data();
}

void ParamStore::set(const std::string &name, std::span<const float> v) {
  auto i = index(name);
  const ParamSpec &s = entries_[i].spec;
  if (static_cast<long>(v.size()) != numel(i))
    throw Error(std::string("parameter '") + s.name + "' " + shape_string(s.shape.data(), s.shape.size()) +
                " has " + std::to_string(numel(i)) + " elements, got " + std::to_string(v.size()));
  std::memcpy(data<float>(i), v.data(), v.size() * sizeof(float));
}

} // namespace loom::rt
