// NCCL as loom's Communicator between GPUs (MpiSession::use_nccl): libnccl.so.2
// loaded with dlopen, like the CUDA driver, so a binary without it runs on
// MPI and fails only when NCCL is asked for, saying why. MPI starts it (rank 0's
// ncclUniqueId, broadcast) and NCCL's collectives run on loom's CUDA stream,
// polled against the same deadline as MPI's.
#include "nccl.hpp"
#include "collective_wait.hpp"

#include "cuda/driver.hpp"

#include <dlfcn.h>
#include <mpi.h>

#include <memory>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace loom::rt {
namespace {

using namespace cuda_driver;

// The few NCCL types and constants used (nccl.h is not needed to build).
using ncclResult_t = int;
using ncclComm_t = void *;
struct ncclUniqueId {
  char internal[128];
};
constexpr int ncclFloat32 = 7, ncclUint8 = 1, ncclSum = 0, ncclInProgress = 7;

struct Nccl {
  ncclResult_t (*ncclGetUniqueId)(ncclUniqueId *) = nullptr;
  ncclResult_t (*ncclCommInitRank)(ncclComm_t *, int, ncclUniqueId, int) = nullptr;
  ncclResult_t (*ncclAllReduce)(const void *, void *, std::size_t, int, int, ncclComm_t, CUstream) = nullptr;
  ncclResult_t (*ncclBroadcast)(const void *, void *, std::size_t, int, int, ncclComm_t, CUstream) = nullptr;
  ncclResult_t (*ncclCommGetAsyncError)(ncclComm_t, ncclResult_t *) = nullptr;
  ncclResult_t (*ncclCommAbort)(ncclComm_t) = nullptr;
  ncclResult_t (*ncclCommDestroy)(ncclComm_t) = nullptr;
  const char *(*ncclGetErrorString)(ncclResult_t) = nullptr;

  /// LOOM_NCCL_LIBRARY, else libnccl.so.2 on the library path, else the CUDA toolkit's.
  Nccl() {
    std::string tried, why;
    void *lib = nullptr;
    std::vector<std::string> paths;
    if (const char *p = std::getenv("LOOM_NCCL_LIBRARY")) paths.push_back(p);
    else {
      paths.push_back("libnccl.so.2");
      if (const char *home = std::getenv("CUDA_HOME")) paths.push_back(std::string(home) + "/lib/libnccl.so.2");
      paths.push_back("/usr/local/cuda/lib64/libnccl.so.2");
      paths.push_back("/usr/local/cuda/lib/libnccl.so.2");
    }
    for (const std::string &p : paths) {
      if ((lib = dlopen(p.c_str(), RTLD_NOW | RTLD_LOCAL))) break;
      const char *e = dlerror();
      tried += (tried.empty() ? "" : ", ") + p;
      why = e ? e : "not found";
    }
    if (!lib)
      throw Error("NCCL could not be loaded (tried " + tried + ": " + why +
                  "); install NCCL or set LOOM_NCCL_LIBRARY, or leave data-parallel steps on MPI");
    auto sym = [&](auto &fn, const char *name) {
      fn = reinterpret_cast<std::remove_reference_t<decltype(fn)>>(dlsym(lib, name));
      if (!fn) throw Error(std::string("NCCL has no ") + name + " (a version older than 2.4?)");
    };
    sym(ncclGetUniqueId, "ncclGetUniqueId");
    sym(ncclCommInitRank, "ncclCommInitRank");
    sym(ncclAllReduce, "ncclAllReduce");
    sym(ncclBroadcast, "ncclBroadcast");
    sym(ncclCommGetAsyncError, "ncclCommGetAsyncError");
    sym(ncclCommAbort, "ncclCommAbort");
    sym(ncclCommDestroy, "ncclCommDestroy");
    sym(ncclGetErrorString, "ncclGetErrorString");
  }
};

class NcclCommunicator final : public Communicator {
public:
  NcclCommunicator(int rank, int size, bool &broken) : rank_(rank), size_(size), broken_(broken) {
    // NCCL and a GPU on every rank, or on none: a rank that went on alone
    // would wait in NCCL's start-up for the others forever.
    std::string why;
    try {
      nccl_ = std::make_unique<Nccl>();
      // One GPU per rank on a machine, as NCCL needs: the local rank's, unless LOOM_CUDA_DEVICE says.
      if (!std::getenv("LOOM_CUDA_DEVICE"))
        if (const char *local = std::getenv("OMPI_COMM_WORLD_LOCAL_RANK")) setenv("LOOM_CUDA_DEVICE", local, 0);
      try {
        cuda_ = &ready();
      } catch (const Error &e) {
        throw Error(std::string("NCCL needs a GPU per rank: ") + e.what());
      }
    } catch (const Error &e) {
      why = e.what();
    }
    int usable = why.empty(), everywhere = 0;
    if (int code = MPI_Allreduce(&usable, &everywhere, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD); code != MPI_SUCCESS)
      throw Error("MPI: agreeing on NCCL failed (error " + std::to_string(code) + ")");
    if (!everywhere)
      throw Error(why.empty() ? "another rank cannot use NCCL (its own message says why); every rank stays on MPI" : why);
    ncclUniqueId id{};
    if (rank_ == 0) check(nccl_->ncclGetUniqueId(&id), "ncclGetUniqueId");
    if (int code = MPI_Bcast(&id, sizeof id, MPI_BYTE, 0, MPI_COMM_WORLD); code != MPI_SUCCESS)
      throw Error("MPI: broadcasting NCCL's unique id failed (error " + std::to_string(code) + ")");
    check(nccl_->ncclCommInitRank(&comm_, size_, id, rank_), "ncclCommInitRank");
  }
  ~NcclCommunicator() override {
    if (comm_) (broken_ ? nccl_->ncclCommAbort : nccl_->ncclCommDestroy)(comm_);
    if (staging_) cuda_->cuMemFree_v2(staging_);
  }
  int rank() const override { return rank_; }
  int size() const override { return size_; }
  std::string name() const override { return "NCCL"; }

  void all_reduce_sum(float *data, std::size_t n, double timeout_s) override {
    collective(data, n * sizeof(float), timeout_s, "an all-reduce of " + std::to_string(n) + " floats",
               [&](void *p, CUstream s) { return nccl_->ncclAllReduce(p, p, n, ncclFloat32, ncclSum, comm_, s); });
  }
  void broadcast(void *data, std::size_t bytes, int root, double timeout_s) override {
    collective(data, bytes, timeout_s, "a broadcast of " + std::to_string(bytes) + " bytes from rank " + std::to_string(root),
               [&](void *p, CUstream s) { return nccl_->ncclBroadcast(p, p, bytes, ncclUint8, root, comm_, s); });
  }
  [[noreturn]] void abort(int code) override {
    if (comm_) nccl_->ncclCommAbort(comm_), comm_ = nullptr;
    MPI_Abort(MPI_COMM_WORLD, code);
    std::_Exit(code);
  }
private:
  void check(ncclResult_t r, const char *what) {
    if (r != 0 && r != ncclInProgress) {
      broken_ = true;
      throw Error(std::string("NCCL: ") + what + ": " + nccl_->ncclGetErrorString(r));
    }
  }

  /// Runs `op` on `bytes` at `data` on loom's stream and waits for it: in
  /// place where the GPU can reach `data` (managed or device memory), else
  /// through a managed staging buffer (host memory: a step's bucket, a checksum).
  template <class Op> void collective(void *data, std::size_t bytes, double timeout_s, const std::string &what, Op &&op) {
    unsigned type = 0;
    bool reachable = cuda_->cuPointerGetAttribute(&type, kPointerMemoryType, reinterpret_cast<CUdeviceptr>(data)) == 0 &&
                     type != kMemoryTypeHost;
    void *p = data;
    if (!reachable) {
      if (bytes > staging_bytes_) {
        if (staging_) cuda_->cuMemFree_v2(staging_);
        staging_ = 0;
        cuda_driver::check(cuda_->cuMemAllocManaged(&staging_, bytes, kAttachGlobal), "cuMemAllocManaged (NCCL's staging)");
        staging_bytes_ = bytes;
      }
      p = reinterpret_cast<void *>(staging_);
      std::memcpy(p, data, bytes);
    }
    check(op(p, cuda_->stream), what.c_str());
    wait(timeout_s, what);
    if (!reachable) std::memcpy(data, p, bytes);
  }

  /// Polls the stream and NCCL's own error until done or `timeout_s` passes.
  void wait(double timeout_s, const std::string &what) {
    wait_for_collective(
        [&] {
          CUresult r = cuda_->cuStreamQuery(cuda_->stream);
          if (r == 0) return true;
          if (r != kNotReady) cuda_driver::check(r, "an NCCL collective (cuStreamQuery)");
          ncclResult_t async = 0;
          nccl_->ncclCommGetAsyncError(comm_, &async);
          check(async, what.c_str());
          return false;
        },
        timeout_s, rank_, size_, what + " (NCCL)", broken_);
  }

  std::unique_ptr<Nccl> nccl_;
  Driver *cuda_ = nullptr;
  ncclComm_t comm_ = nullptr;
  CUdeviceptr staging_ = 0;
  std::size_t staging_bytes_ = 0;
  int rank_, size_;
  bool &broken_; // the session's: a failed collective makes it abort the run
};

} // namespace

std::unique_ptr<Communicator> make_nccl_communicator(int rank, int size, bool &broken) {
  return std::make_unique<NcclCommunicator>(rank, size, broken);
}

} // namespace loom::rt
