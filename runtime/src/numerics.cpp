#include "loom/rt/numerics.hpp"

#include <bit>
#include <cstring>

namespace loom::rt {
namespace {

/// The first non-finite value a thread's current call produced.
struct Record {
  bool found = false;
  std::string site;
  float value = 0;
  std::vector<long> index, shape;
};
thread_local Record record;

// By the bits: right under -ffast-math too, where isfinite may fold to true.
bool finite(float v) { return (std::bit_cast<uint32_t>(v) & 0x7f800000u) != 0x7f800000u; }

std::string value_string(float v) { return v != v ? "nan" : v > 0 ? "inf" : "-inf"; }

/// The index of element `flat` of a row-major array of `shape`.
std::vector<long> unravel(long flat, const std::vector<long> &shape) {
  std::vector<long> index(shape.size());
  for (size_t d = shape.size(); d-- > 0;) index[d] = flat % shape[d], flat /= shape[d];
  return index;
}

/// "[1,2]"
std::string dims_string(const std::vector<long> &d) { return shape_string(d.data(), int(d.size())); }

/// The first non-finite of `n` contiguous values, or -1.
long first_nonfinite(const float *v, long n) {
  for (long i = 0; i < n; ++i)
    if (!finite(v[i])) return i;
  return -1;
}

} // namespace

NumericsGuard::NumericsGuard(std::string call, int64_t step, ParamStore &params, ParamStore *state)
    : call_(std::move(call)), step_(step), params_(&params), state_(state) {
  record = {};
  for (ParamStore *store : {params_, state_}) {
    if (!store) continue;
    for (std::size_t i = 0; i < store->size(); ++i) {
      const ParamSpec &spec = store->spec(i);
      std::span<std::byte> bytes = store->bytes(i);
      if (spec.dtype == DType::f32)
        if (long at = first_nonfinite(reinterpret_cast<const float *>(bytes.data()), store->numel(i)); at >= 0) {
          const float v = reinterpret_cast<const float *>(bytes.data())[at];
          throw Error(where() + ": " + (store == params_ ? "parameter '" : "optimizer state '") + spec.name + "' holds " +
                      value_string(v) + " at element " + dims_string(unravel(at, spec.shape)) +
                      " before the call (from a checkpoint, or set()?)");
        }
      saved_.emplace_back(bytes.begin(), bytes.end());
    }
  }
}

void NumericsGuard::input(const char *name, const float *values, std::initializer_list<long> shape) const {
  long n = 1;
  for (long d : shape) n *= d;
  if (long at = first_nonfinite(values, n); at >= 0)
    throw Error(where() + ": input '" + name + "' holds " + value_string(values[at]) + " at element " +
                dims_string(unravel(at, shape)));
}

void NumericsGuard::finish() {
  if (!record.found) return;
  Record r = std::move(record);
  record = {};
  std::size_t k = 0;
  for (ParamStore *store : {params_, state_})
    if (store)
      for (std::size_t i = 0; i < store->size(); ++i) {
        std::span<std::byte> bytes = store->bytes(i);
        std::memcpy(bytes.data(), saved_[k++].data(), bytes.size());
      }
  throw Error(where() + ": " + r.site + " produced " + value_string(r.value) + " at element " + dims_string(r.index) +
              " of its f32" + dims_string(r.shape) +
              " output, the first non-finite value of the call (--check-numerics); the parameters and optimizer state "
              "are as they were before it");
}

std::string NumericsGuard::where() const {
  return call_ + (step_ ? " (step " + std::to_string(step_) + ")" : "");
}

} // namespace loom::rt

extern "C" void loom_rt_check_finite(const float *first, const int64_t *layout, const char *site) {
  using namespace loom::rt;
  if (record.found) return; // the first one is what the user needs; later ones follow from it
  const int rank = static_cast<int>(layout[0]);
  const int64_t *sizes = layout + 1, *strides = layout + 1 + rank;
  long total = 1;
  for (int d = 0; d < rank; ++d) total *= sizes[d];
  if (total == 0) return;
  // Rows along the innermost dimension; the outer index is counted by hand.
  const long inner = rank ? sizes[rank - 1] : 1, step = rank ? strides[rank - 1] : 1;
  std::vector<long> index(rank, 0);
  for (long row = 0; row < total / inner; ++row) {
    const float *p = first;
    for (int d = 0; d + 1 < rank; ++d) p += index[d] * strides[d];
    for (long j = 0; j < inner; ++j)
      if (!finite(p[j * step])) {
        if (rank) index[rank - 1] = j;
        record = {true, site, p[j * step], index, std::vector<long>(sizes, sizes + rank)};
        return;
      }
    for (int d = rank - 2; d >= 0; --d) {
      if (++index[d] < sizes[d]) break;
      index[d] = 0;
    }
  }
}
