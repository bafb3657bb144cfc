// The engine-independent half of data parallelism: the process's
// communicator, the gradient buckets of a data-parallel step, and keeping
// the ranks' parameters identical.
#include "loom/rt/distributed.hpp"

#include "loom/rt/train.hpp"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace loom::rt {
namespace {

Communicator *current = nullptr;

/// A positive number from the environment variable `name`, else `fallback`.
double env_number(const char *name, double fallback) {
  const char *v = std::getenv(name);
  if (!v || !*v) return fallback;
  char *end = nullptr;
  double x = std::strtod(v, &end);
  if (*end || !(x > 0))
    throw Error(std::string(name) + "='" + v + "': expected a positive number");
  return x;
}

/// The process count mpirun (Open MPI, MPICH, Slurm's PMI) started this process among, or 1.
int launched_processes() {
  for (const char *name : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_SIZE"})
    if (const char *v = std::getenv(name)) return std::atoi(v);
  return 1;
}

/// The gradients of the step in flight, bucketed as they come: each bucket
/// is copied into one staging buffer, summed over the ranks, divided by
/// their count and copied back.
struct Buckets {
  std::vector<std::pair<float *, std::size_t>> pending; // buffers of the bucket being filled
  std::size_t pending_count = 0;
  std::vector<float> staging;
  std::string error; // the first failure of this step

  static std::size_t capacity() {
    static const std::size_t floats = static_cast<std::size_t>(env_number("LOOM_DP_BUCKET_MB", 25) * 1024 * 1024 / sizeof(float));
    return floats > 0 ? floats : 1;
  }

  void reduce(float *data, std::size_t n) {
    current->all_reduce_sum(data, n, collective_timeout());
    const float ranks = static_cast<float>(current->size());
    for (std::size_t i = 0; i < n; ++i) data[i] /= ranks;
  }

  void flush() {
    if (pending.empty()) return;
    staging.resize(pending_count);
    std::size_t at = 0;
    for (auto [p, n] : pending) std::memcpy(staging.data() + at, p, n * sizeof(float)), at += n;
    reduce(staging.data(), pending_count);
    at = 0;
    for (auto [p, n] : pending) std::memcpy(p, staging.data() + at, n * sizeof(float)), at += n;
    pending.clear();
    pending_count = 0;
  }

  void add(float *data, std::size_t n) {
    if (pending_count + n > capacity()) flush();
    if (n >= capacity()) return reduce(data, n); // a bucket of its own, in place
    pending.emplace_back(data, n);
    pending_count += n;
  }
};
Buckets buckets;
bool failed = false;

/// Runs `f`; an error is kept for finish_all_reduce (generated code cannot unwind).
template <class F> void guarded(F &&f) noexcept {
  if (!current || current->size() == 1 || !buckets.error.empty()) return;
  try {
    f();
  } catch (const std::exception &e) {
    buckets.error = e.what();
    buckets.pending.clear();
    buckets.pending_count = 0;
    failed = true;
  }
}

/// FNV-1a of a store entry's bytes.
uint64_t checksum(std::span<const std::byte> bytes) {
  uint64_t h = 1469598103934665603ull;
  for (std::byte b : bytes) h = (h ^ static_cast<uint64_t>(b)) * 1099511628211ull;
  return h;
}

} // namespace

Communicator *communicator() { return current; }
void set_communicator(Communicator *c) { current = c; }
int rank() { return current ? current->rank() : 0; }
int world_size() { return current ? current->size() : 1; }
double collective_timeout() { return env_number("LOOM_DP_TIMEOUT", 300); }
Shard this_shard() { return {rank(), world_size()}; }
bool collective_failed() { return failed; }

void require_communicator(const std::string &call) {
  if (current) return;
  if (int n = launched_processes(); n > 1)
    throw Error(call + ": a data-parallel step in a process that mpirun started as one of " + std::to_string(n) +
                ", but without a communicator: create a loom::rt::MpiSession first (else each process trains alone)");
}

void finish_all_reduce(const std::string &call) {
  if (buckets.error.empty()) return;
  std::string e = std::move(buckets.error);
  buckets.error.clear();
  throw Error(call + ": the all-reduce of the gradients failed on rank " + std::to_string(rank()) + " of " +
              std::to_string(world_size()) + ": " + e +
              "; this step's update used unreduced gradients, so the ranks are out of step: restart from the last checkpoint");
}

void synchronize(ParamStore &params, ParamStore &state, TrainLog &log) {
  if (!current || current->size() == 1) return;
  const double timeout = collective_timeout();
  for (ParamStore *store : {&params, &state})
    for (std::size_t i = 0; i < store->size(); ++i) {
      std::span<std::byte> b = store->bytes(i);
      current->broadcast(b.data(), b.size(), 0, timeout);
    }
  // Step counts (Adam's bias correction): rank 0's, for every export it has counted.
  for (auto &[name, steps] : log.step_counts()) current->broadcast(&steps, sizeof steps, 0, timeout);
  check_identical(params, state);
}

void check_identical(ParamStore &params, ParamStore &state) {
  if (!current || current->size() == 1) return;
  // Every rank's checksum against rank 0's: sums of (mine - rank 0's)^2 are 0 only if all agree.
  for (ParamStore *store : {&params, &state})
    for (std::size_t i = 0; i < store->size(); ++i) {
      uint64_t mine = checksum(store->bytes(i)), root = mine;
      current->broadcast(&root, sizeof root, 0, collective_timeout());
      float differs = mine != root ? 1.0f : 0.0f;
      current->all_reduce_sum(&differs, 1, collective_timeout());
      if (differs != 0)
        throw Error(std::string(store == &params ? "parameter '" : "optimizer state '") + store->spec(i).name + "' differs on " +
                    std::to_string(static_cast<int>(differs)) + " of " + std::to_string(current->size()) +
                    " ranks from rank 0's (call loom::rt::synchronize after loading or initialising)");
    }
}

} // namespace loom::rt

extern "C" {
void loom_rt_all_reduce_add(float *data, int64_t count) {
  loom::rt::guarded([&] { loom::rt::buckets.add(data, static_cast<std::size_t>(count)); });
}
void loom_rt_all_reduce_wait() {
  loom::rt::guarded([] { loom::rt::buckets.flush(); });
}
}
