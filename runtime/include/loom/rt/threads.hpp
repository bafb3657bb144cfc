// How many threads the CPU micro-kernels use (runtime/src/ukernels): all cores
// unless LOOM_NUM_THREADS says otherwise, or a program or a Model sets it.
// Every output element is computed by one thread with its sums in a fixed
// order, so a step gives bit-identical results for a given thread count.
#pragma once

namespace loom::rt {

/// The process-wide count: set_num_threads, else LOOM_NUM_THREADS, else the cores.
int num_threads();
/// Sets the process-wide count (n >= 1; 0 returns to LOOM_NUM_THREADS / the cores).
void set_num_threads(int n);
/// n when it is a count set_num_threads takes (0 to 1024), else an Error naming it.
int checked_num_threads(int n);

/// The count for the calling thread while it lives (a Model's own setting
/// during its calls); 0 keeps the process-wide one.
class ThreadsScope {
public:
  explicit ThreadsScope(int n);
  ~ThreadsScope();
  ThreadsScope(const ThreadsScope &) = delete;
  ThreadsScope &operator=(const ThreadsScope &) = delete;

private:
  int saved_;
};

} // namespace loom::rt
