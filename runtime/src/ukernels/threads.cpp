// A small pool for the kernels: n - 1 workers woken per parallel region (they
// spin briefly before sleeping on a condition variable), the caller doing
// share 0.
#include "loom/rt/threads.hpp"
#include "loom/rt/error.hpp"
#include "threads_impl.hpp"

#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace loom::rt {
namespace {
int envThreads() {
  static const int n = [] {
    const char *v = std::getenv("LOOM_NUM_THREADS");
    if (v && *v) {
      char *end = nullptr;
      long t = std::strtol(v, &end, 10);
      if (*end || t < 1 || t > 1024)
        throw Error(std::string("LOOM_NUM_THREADS='") + v + "': expected a thread count from 1 to 1024");
      return int(t);
    }
    unsigned hw = std::thread::hardware_concurrency();
    return hw ? int(hw) : 1;
  }();
  return n;
}
std::atomic<int> processThreads{0}; // set by one thread, read by any
thread_local int scopeThreads = 0;
} // namespace

int checked_num_threads(int n) {
  if (n < 0 || n > 1024) throw Error("set_num_threads(" + std::to_string(n) + "): expected 0 (the default) to 1024");
  return n;
}

int num_threads() {
  if (scopeThreads) return scopeThreads;
  int p = processThreads.load(std::memory_order_relaxed);
  return p ? p : envThreads();
}
void set_num_threads(int n) { processThreads.store(checked_num_threads(n), std::memory_order_relaxed); }
ThreadsScope::ThreadsScope(int n) : saved_(scopeThreads) {
  if (checked_num_threads(n)) scopeThreads = n;
}
ThreadsScope::~ThreadsScope() { scopeThreads = saved_; }
} // namespace loom::rt

namespace loom::rt::uk {
namespace {
/// Waits up to about 100 us for `ready`, then gives up the core: a step's
/// kernels come microseconds apart, and a condition variable's wake-up costs
/// more than a small kernel's work (E5's ResNet-18 at batch 4).
template <class Ready> bool spin(Ready ready) {
  for (int i = 0; i < 4000; ++i) {
    if (ready()) return true;
#if defined(__x86_64__)
    __builtin_ia32_pause();
#endif
  }
  return ready();
}

struct Pool {
  std::mutex m;
  std::condition_variable wake, done;
  std::vector<std::thread> workers;
  const std::function<void(int)> *task = nullptr;
  int shares = 0;
  std::atomic<int> pending{0};
  std::atomic<long> generation{0};
  std::atomic<bool> stop{false};

  void grow(int n) {
    while (int(workers.size()) < n - 1) {
      int id = int(workers.size()) + 1;
      workers.emplace_back([this, id] {
        long seen = 0;
        for (;;) {
          spin([&] { return stop.load() || generation.load() != seen; });
          std::unique_lock lock(m);
          wake.wait(lock, [&] { return stop.load() || generation.load() != seen; });
          if (stop) return;
          seen = generation.load();
          if (id >= shares) continue;
          const auto *fn = task;
          lock.unlock();
          (*fn)(id);
          if (pending.fetch_sub(1) == 1) {
            std::lock_guard g(m); // the caller checks pending under m before it sleeps: no lost wake-up
            done.notify_one();
          }
        }
      });
    }
  }
  ~Pool() {
    {
      std::lock_guard lock(m);
      stop = true;
    }
    wake.notify_all();
    for (auto &w : workers) w.join();
  }
};
Pool &pool() {
  static Pool p;
  return p;
}
std::mutex regionMutex; // one parallel region at a time (calls from several threads take turns)
} // namespace

void parallel(int n, const std::function<void(int)> &fn) {
  if (n <= 1) return fn(0);
  std::lock_guard region(regionMutex);
  Pool &p = pool();
  {
    std::lock_guard lock(p.m);
    p.grow(n);
    p.task = &fn, p.shares = n, p.pending = n - 1;
    ++p.generation;
  }
  p.wake.notify_all();
  fn(0);
  if (spin([&] { return p.pending.load() == 0; })) return;
  std::unique_lock lock(p.m);
  p.done.wait(lock, [&] { return p.pending.load() == 0; });
}
} // namespace loom::rt::uk
