// MPI_COMM_WORLD as loom's Communicator. Collectives are non-blocking
// (MPI_Iallreduce, MPI_Ibcast) polled against a deadline, so a rank that
// stops answering is an Error naming the wait, not a hang.
#include "loom/rt/mpi.hpp"

#include "loom/rt/threads.hpp"
#include "collective_wait.hpp"
#include "nccl.hpp"

#include <mpi.h>

#include <cstdio>
#include <cstdlib>

namespace loom::rt {
namespace {

std::string mpi_error(int code) {
  char text[MPI_MAX_ERROR_STRING];
  int len = 0;
  MPI_Error_string(code, text, &len);
  return std::string(text, len);
}

/// Set by any failed collective: MPI_Finalize would then wait for ranks that will not come.
bool broken = false;

void check(int code, const char *what) {
  if (code != MPI_SUCCESS) {
    broken = true;
    throw Error(std::string("MPI: ") + what + ": " + mpi_error(code));
  }
}

class MpiCommunicator final : public Communicator {
public:
  MpiCommunicator() {
    check(MPI_Comm_rank(MPI_COMM_WORLD, &rank_), "MPI_Comm_rank");
    check(MPI_Comm_size(MPI_COMM_WORLD, &size_), "MPI_Comm_size");
    char version[MPI_MAX_LIBRARY_VERSION_STRING];
    int len = 0;
    MPI_Get_library_version(version, &len);
    std::string v(version, len);
    name_ = "MPI (" + v.substr(0, v.find_first_of(",\n")) + ")";
  }
  int rank() const override { return rank_; }
  int size() const override { return size_; }
  std::string name() const override { return name_; }

  void all_reduce_sum(float *data, std::size_t n, double timeout_s) override {
    // MPI counts are ints: pieces of at most 2^30 floats.
    for (std::size_t at = 0; at < n; at += kPiece) {
      int count = static_cast<int>(std::min(kPiece, n - at));
      MPI_Request r;
      check(MPI_Iallreduce(MPI_IN_PLACE, data + at, count, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD, &r), "MPI_Iallreduce");
      wait(r, timeout_s, "an all-reduce of " + std::to_string(n) + " floats");
    }
  }

  void broadcast(void *data, std::size_t bytes, int root, double timeout_s) override {
    for (std::size_t at = 0; at < bytes; at += kPiece) {
      int count = static_cast<int>(std::min(kPiece, bytes - at));
      MPI_Request r;
      check(MPI_Ibcast(static_cast<char *>(data) + at, count, MPI_BYTE, root, MPI_COMM_WORLD, &r), "MPI_Ibcast");
      wait(r, timeout_s, "a broadcast of " + std::to_string(bytes) + " bytes from rank " + std::to_string(root));
    }
  }

  [[noreturn]] void abort(int code) override {
    MPI_Abort(MPI_COMM_WORLD, code);
    std::_Exit(code); // MPI_Abort does not return; if it did
  }

private:
  static constexpr std::size_t kPiece = std::size_t(1) << 30;

  /// Polls `r` until it completes or `timeout_s` passes.
  void wait(MPI_Request &r, double timeout_s, const std::string &what) {
    wait_for_collective(
        [&] {
          int done = 0;
          check(MPI_Test(&r, &done, MPI_STATUS_IGNORE), "MPI_Test");
          return done != 0;
        },
        timeout_s, rank_, size_, what, broken);
  }

  int rank_ = 0, size_ = 1;
  std::string name_;
};

/// The ranks on this machine, as mpirun tells them (1 if it does not).
int local_ranks() {
  for (const char *name : {"OMPI_COMM_WORLD_LOCAL_SIZE", "MPI_LOCALNRANKS", "SLURM_NTASKS_PER_NODE"})
    if (const char *v = std::getenv(name); v && std::atoi(v) > 0) return std::atoi(v);
  return 1;
}

} // namespace

MpiSession::MpiSession(int &argc, char **&argv) {
  int initialized = 0;
  MPI_Initialized(&initialized);
  if (!initialized) {
    int provided = 0;
    check(MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided), "MPI_Init_thread");
  }
  // Errors come back as codes (and become Errors) instead of ending the process.
  MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
  comm_ = std::make_unique<MpiCommunicator>();
  set_communicator(comm_.get());
  if (!std::getenv("LOOM_NUM_THREADS"))
    if (int local = local_ranks(); local > 1) {
      int cores = static_cast<int>(std::thread::hardware_concurrency());
      set_num_threads(std::max(1, cores / local));
    }
}

void MpiSession::use_nccl() {
  gpu_ = make_nccl_communicator(comm_->rank(), comm_->size(), broken);
  set_communicator(gpu_.get());
}

MpiSession::~MpiSession() {
  set_communicator(nullptr);
  gpu_.reset(); // NCCL's communicator first (aborted if broken), then MPI's
  if (broken || collective_failed()) {
    std::fprintf(stderr, "loom: rank %d: a collective failed; ending every rank of the run (MPI_Abort)\n", comm_->rank());
    comm_->abort(3);
  }
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (!finalized) MPI_Finalize();
}

int MpiSession::rank() const { return comm_->rank(); }
int MpiSession::size() const { return comm_->size(); }
Communicator &MpiSession::communicator() { return gpu_ ? *gpu_ : *comm_; }

} // namespace loom::rt
