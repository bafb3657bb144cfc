// Data-parallel training across processes: the communicator a run's train
// steps average their gradients over (export_train_step(..., DataParallel{})),
// and what the rest of the runtime does differently in such a run. The
// engine is someone else's: MPI between CPU processes (loom/rt/mpi.hpp,
// library loom_rt_mpi). See docs/data-parallel.md.
#pragma once

#include "loom/rt/data.hpp"
#include "loom/rt/params.hpp"

#include <cstddef>
#include <cstdint>
#include <string>

namespace loom::rt {

class TrainLog;

/// The processes of a run, as a collective-communication engine sees them.
/// Every call is collective: each rank makes the same calls in the same order.
class Communicator {
public:
  virtual ~Communicator() = default;
  virtual int rank() const = 0;
  virtual int size() const = 0;
  /// "MPI (Open MPI 4.1.4)", for messages and logs.
  virtual std::string name() const = 0;
  /// Sums `n` floats over all ranks, in place; every rank gets the same sums.
  /// Waits at most `timeout_s` seconds, then throws an Error.
  virtual void all_reduce_sum(float *data, std::size_t n, double timeout_s) = 0;
  /// Rank `root`'s `bytes` bytes into every rank's `data`, within `timeout_s`.
  virtual void broadcast(void *data, std::size_t bytes, int root, double timeout_s) = 0;
  /// Ends every rank of the run now (after a failed collective, when waiting
  /// for the others to finish would hang).
  [[noreturn]] virtual void abort(int code) = 0;
};

/// The process's communicator, or null in a run of one process.
Communicator *communicator();
/// Installs `c` (null: back to one process). The caller keeps it alive.
void set_communicator(Communicator *c);

/// This process's rank and the run's process count (0 and 1 without a communicator).
int rank();
int world_size();

/// Seconds a collective waits for the other ranks before it fails:
/// LOOM_DP_TIMEOUT, else 300.
double collective_timeout();

/// This process's shard (loom::rt::Batcher): rank and world size of the communicator.
Shard this_shard();

/// Before a data-parallel step (`call` names it): an Error if the process was
/// started by mpirun for several processes but has no communicator (no
/// MpiSession), which would train each process alone.
void require_communicator(const std::string &call);
/// After a data-parallel step: rethrows, naming `call`, what went wrong in its
/// all-reduce (a rank that stopped answering, an MPI error). The step's update
/// then used unreduced gradients, so this process is out of step with the
/// others: the message says to restart from the last checkpoint.
void finish_all_reduce(const std::string &call);
/// Whether a collective of this process failed (an MpiSession then aborts the
/// run instead of waiting for ranks that will not come).
bool collective_failed();

/// Makes every rank's parameters, buffers, optimizer state and step counts
/// rank 0's (broadcast), then checks that they are (a checksum compared over
/// all ranks). A run of one process is left as it is.
void synchronize(ParamStore &params, ParamStore &state, TrainLog &log);
/// Throws an Error naming the first store entry whose bytes differ between
/// ranks (a checksum per entry, compared over all ranks).
void check_identical(ParamStore &params, ParamStore &state);

} // namespace loom::rt

/// The entry points generated code calls (-loom-all-reduce-to-runtime): each
/// buffer of a step's gradients, in order, then wait, which returns once every
/// buffer holds its mean over all ranks. The runtime packs the buffers into
/// buckets of LOOM_DP_BUCKET_MB MiB (default 25, as DDP's bucket_cap_mb) and
/// all-reduces each bucket once; a buffer larger than a bucket is reduced in place.
extern "C" {
void loom_rt_all_reduce_add(float *data, int64_t count);
void loom_rt_all_reduce_wait();
}
