// Memory: what the compiler planned for each export (the generated header's
// constexpr MemoryPlan values), what the runtime measures (its own host
// allocations, the process's resident set, the GPU allocator), and whether a
// step fits a budget before it runs.
#pragma once

#include <cstdint>
#include <span>
#include <string>

namespace loom::rt {

/// The bytes one call of an export needs, by category, planned at compile time.
/// Gradients and the activations kept for the backward pass live in the
/// export's arena (its temporaries) while they are needed, so `total` counts
/// the arena once: parameters + optimizer state + inputs and outputs + arena.
struct MemoryPlan {
  const char *name = "";       // the export
  const char *optimizer = "";  // train steps: "sgd", "sgd momentum", "adam", "adamw"; else ""
  uint64_t parameters = 0;     // every parameter and buffer the export reads
  uint64_t gradients = 0;      // one per trainable parameter (train steps and gradient exports)
  uint64_t optimizer_state = 0; // none for SGD, one buffer per parameter for momentum, two for Adam
  uint64_t activations = 0;    // arena buffers the forward writes and the backward reads
  uint64_t temporaries = 0;    // the arena's peak: every temporary, planned from lifetimes
  uint64_t inputs_outputs = 0; // the call's inputs and results
  constexpr uint64_t total() const { return parameters + optimizer_state + temporaries + inputs_outputs; }
};

/// "812 B", "44.7 MB", "1.35 GB" (decimal units, as the homework's T4 "15 GB").
std::string format_bytes(uint64_t bytes);
/// "15GB", "15 GB", "15360MB", "1.5GiB", "123456" (bytes): a budget as people write it;
/// an Error naming `what` (e.g. "--memory-budget") when it is not one.
uint64_t parse_bytes(const std::string &text, const std::string &what = "memory size");

/// A table of the plans, one column per export, in human units.
std::string format(std::span<const MemoryPlan> plans);
/// The plan of the export `name`; an Error listing the exports when there is none.
const MemoryPlan &find_plan(std::span<const MemoryPlan> plans, const std::string &name);

/// What the runtime measures now: its own host allocations (Buffers: parameters,
/// optimizer state, arenas, Arrays) and the process's resident set (Linux
/// /proc/self/status), in bytes.
struct MemoryUsage {
  uint64_t host_bytes = 0, host_peak_bytes = 0; // loom's host allocations, now and at most
  uint64_t rss_bytes = 0, peak_rss_bytes = 0;   // VmRSS, VmHWM
};
MemoryUsage memory_usage();
/// Resets the host peak to what is allocated now, and the process's peak RSS
/// to its current RSS where Linux allows it (/proc/self/clear_refs), after
/// handing memory malloc keeps back to the system.
void reset_peak_memory();

/// Throws an Error before a call whose plan exceeds `budget` bytes, naming the
/// plan's categories; a budget of 0 means none.
void require_fits(const MemoryPlan &plan, uint64_t budget, const std::string &model);

namespace detail {
/// Every runtime Buffer on the host reports here (buffer.hpp).
void note_host_alloc(std::size_t bytes);
void note_host_free(std::size_t bytes);
} // namespace detail

} // namespace loom::rt
