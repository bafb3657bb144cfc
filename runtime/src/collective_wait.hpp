// How loom_rt_mpi waits for a collective, over MPI or NCCL (mpi.cpp,
// nccl.cpp): polled against a deadline, so a rank that stopped answering is
// an Error naming the wait, not a hang. Internal to loom_rt_mpi.
#pragma once

#include "loom/rt/error.hpp"

#include <chrono>
#include <string>
#include <thread>

namespace loom::rt {

/// Calls `done()` until it returns true or `timeout_s` passes (spinning
/// briefly, then sleeping 50 us between polls: a step's buckets complete in
/// milliseconds; a dead rank is found within the timeout). At the deadline
/// `broken` is set (the run cannot finish cleanly) and an Error names rank
/// `rank` of `size`, the wait and `what`.
template <class Done> void wait_for_collective(Done done, double timeout_s, int rank, int size, const std::string &what,
                                               bool &broken) {
  using clock = std::chrono::steady_clock;
  const auto deadline = clock::now() + std::chrono::duration_cast<clock::duration>(std::chrono::duration<double>(timeout_s));
  for (long polls = 0;; ++polls) {
    if (done()) return;
    if (clock::now() > deadline) {
      broken = true;
      throw Error("rank " + std::to_string(rank) + " of " + std::to_string(size) + " waited " +
                  std::to_string(static_cast<int>(timeout_s)) + " s for " + what +
                  " and the other ranks did not take part: one of them has died or stopped calling the "
                  "train step (LOOM_DP_TIMEOUT sets the wait, in seconds)");
    }
    if (polls > 1000) std::this_thread::sleep_for(std::chrono::microseconds(50));
  }
}

} // namespace loom::rt
