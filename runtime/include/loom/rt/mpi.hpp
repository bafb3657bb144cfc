// MPI as the communicator of a data-parallel run (library loom_rt_mpi, which
// links Open MPI; the rest of the runtime does not need it).
//
//   int main(int argc, char **argv) {
//     loom::rt::MpiSession mpi(argc, argv);   // every rank of `mpirun -np N prog`
//     net::Model model(42);
//     loom::rt::synchronize(model.params(), model.optimizer_state(), model.log());
//     loom::rt::Batcher batches(data, 32, seed, true, loom::rt::this_shard());
//     ...
//   }
#pragma once

#include "loom/rt/distributed.hpp"

#include <memory>

namespace loom::rt {

/// Initialises MPI (MPI_Init_thread, funneled: only the calling thread
/// communicates) and installs MPI_COMM_WORLD as the process's communicator;
/// the destructor finalises MPI, or, after a failed collective, aborts the run
/// (the other ranks would wait for this one forever). Unless LOOM_NUM_THREADS
/// or set_num_threads says otherwise, each rank's micro-kernels use the cores
/// divided by the ranks on this machine (mpirun gives no rank a core count).
class MpiSession {
public:
  MpiSession(int &argc, char **&argv);
  ~MpiSession();
  MpiSession(const MpiSession &) = delete;
  MpiSession &operator=(const MpiSession &) = delete;

  int rank() const;
  int size() const;
  /// The communicator the steps use: MPI's, or NCCL's after use_nccl().
  Communicator &communicator();

  /// Averages the gradients of models on Device::cuda GPU to GPU through NCCL
  /// (libnccl.so.2, loaded now; one GPU per rank: LOOM_CUDA_DEVICE, else the
  /// local rank) instead of through MPI on the host. An Error says what is
  /// missing (NCCL, a GPU); MPI stays the communicator then.
  void use_nccl();

private:
  std::unique_ptr<Communicator> comm_, gpu_;
};

} // namespace loom::rt
