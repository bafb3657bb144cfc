// The micro-kernels' parallel regions (threads.cpp).
#pragma once

#include <functional>

namespace loom::rt::uk {
/// Runs fn(0) .. fn(n - 1), fn(0) on the caller, and returns when all are done.
void parallel(int n, const std::function<void(int)> &fn);
} // namespace loom::rt::uk
