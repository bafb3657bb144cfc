// The NCCL communicator (nccl.cpp), for MpiSession::use_nccl. Internal to loom_rt_mpi.
#pragma once

#include "loom/rt/distributed.hpp"

#include <memory>

namespace loom::rt {

/// NCCL over the ranks of MPI_COMM_WORLD, on loom's CUDA device and stream; an
/// Error names what is missing (libnccl.so.2, a GPU). A failed collective sets `broken`.
std::unique_ptr<Communicator> make_nccl_communicator(int rank, int size, bool &broken);

} // namespace loom::rt
