// Memory plans in human units, the runtime's allocation counters and the
// process's resident set.
#include "loom/rt/memory.hpp"
#include "loom/rt/error.hpp"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <fstream>
#if defined(__GLIBC__)
#include <malloc.h>
#endif
#include <sstream>
#include <utility>
#include <vector>

namespace loom::rt {
namespace {
std::atomic<uint64_t> hostBytes{0}, hostPeak{0};

/// VmRSS and VmHWM from /proc/self/status, in bytes (0 where there are none).
std::pair<uint64_t, uint64_t> residentSet() {
  std::ifstream in("/proc/self/status");
  std::pair<uint64_t, uint64_t> r{0, 0};
  for (std::string line; std::getline(in, line);) {
    uint64_t *field = line.rfind("VmRSS:", 0) == 0 ? &r.first : line.rfind("VmHWM:", 0) == 0 ? &r.second : nullptr;
    if (field) *field = uint64_t(std::strtoull(line.c_str() + 6, nullptr, 10)) * 1024;
  }
  return r;
}
} // namespace

namespace detail {
void note_host_alloc(std::size_t bytes) {
  uint64_t now = hostBytes.fetch_add(bytes) + bytes, peak = hostPeak.load();
  while (now > peak && !hostPeak.compare_exchange_weak(peak, now)) {
  }
}
void note_host_free(std::size_t bytes) { hostBytes.fetch_sub(bytes); }
} // namespace detail

std::string format_bytes(uint64_t bytes) {
  char s[32];
  if (bytes < 1000) std::snprintf(s, sizeof s, "%llu B", (unsigned long long)bytes);
  else if (bytes < 1000000) std::snprintf(s, sizeof s, "%.1f kB", bytes / 1e3);
  else if (bytes < 1000000000) std::snprintf(s, sizeof s, "%.1f MB", bytes / 1e6);
  else std::snprintf(s, sizeof s, "%.2f GB", bytes / 1e9);
  return s;
}

uint64_t parse_bytes(const std::string &text, const std::string &what) {
  auto bad = [&] {
    return Error(what + " '" + text + "': expected a size such as 15GB, 15360MB, 1.5GiB or a number of bytes");
  };
  std::size_t i = 0;
  while (i < text.size() && (std::isdigit((unsigned char)text[i]) || text[i] == '.')) ++i;
  if (i == 0) throw bad();
  double v = 0;
  try {
    std::size_t used = 0;
    v = std::stod(text.substr(0, i), &used);
    if (used != i) throw bad();
  } catch (const std::logic_error &) {
    throw bad();
  }
  std::string unit = text.substr(i);
  unit.erase(std::remove(unit.begin(), unit.end(), ' '), unit.end());
  std::transform(unit.begin(), unit.end(), unit.begin(), [](unsigned char c) { return char(std::tolower(c)); });
  const std::pair<const char *, double> units[] = {{"", 1},      {"b", 1},          {"kb", 1e3},      {"mb", 1e6},
                                                   {"gb", 1e9},  {"tb", 1e12},      {"k", 1e3},       {"m", 1e6},
                                                   {"g", 1e9},   {"kib", 1024.0},   {"mib", 1048576.0}, {"gib", 1073741824.0}};
  for (auto &[name, scale] : units)
    if (unit == name) {
      double bytes = v * scale;
      if (!std::isfinite(bytes) || bytes > 1.8e19) throw bad();
      return uint64_t(std::llround(bytes));
    }
  throw bad();
}

std::string format(std::span<const MemoryPlan> plans) {
  std::vector<std::vector<std::string>> rows{{""}};
  for (const auto &p : plans) rows[0].push_back(std::string(p.name) + (*p.optimizer ? std::string(" (") + p.optimizer + ")" : ""));
  auto row = [&](const char *label, uint64_t MemoryPlan::*field, bool inArena) {
    std::vector<std::string> r{std::string(label) + (inArena ? " (in the arena)" : "")};
    for (const auto &p : plans) r.push_back(format_bytes(p.*field));
    rows.push_back(r);
  };
  row("parameters", &MemoryPlan::parameters, false);
  row("gradients", &MemoryPlan::gradients, true);
  row("optimizer state", &MemoryPlan::optimizer_state, false);
  row("activations for backward", &MemoryPlan::activations, true);
  row("temporaries (arena peak)", &MemoryPlan::temporaries, false);
  row("inputs and outputs", &MemoryPlan::inputs_outputs, false);
  std::vector<std::string> total{"total"};
  for (const auto &p : plans) total.push_back(format_bytes(p.total()));
  rows.push_back(total);
  std::vector<std::size_t> width(rows[0].size(), 0);
  for (auto &r : rows)
    for (std::size_t c = 0; c < r.size(); ++c) width[c] = std::max(width[c], r[c].size());
  std::ostringstream os;
  for (auto &r : rows) {
    for (std::size_t c = 0; c < r.size(); ++c) {
      std::string pad(width[c] - r[c].size(), ' ');
      os << (c ? "  " + pad + r[c] : r[c] + pad);
    }
    os << "\n";
  }
  return os.str();
}

const MemoryPlan &find_plan(std::span<const MemoryPlan> plans, const std::string &name) {
  std::string known;
  for (const MemoryPlan &p : plans) {
    if (p.name == name) return p;
    known += (known.empty() ? "" : ", ") + std::string(p.name);
  }
  throw Error("no memory plan for an export named '" + name + "' (exports: " + known + ")");
}

MemoryUsage memory_usage() {
  auto [rss, peak] = residentSet();
  return {hostBytes.load(), hostPeak.load(), rss, peak};
}

void reset_peak_memory() {
  hostPeak.store(hostBytes.load());
#if defined(__GLIBC__)
  // Freed memory glibc kept goes back first: reused, it would not show as growth.
  malloc_trim(0);
#endif
  std::ofstream("/proc/self/clear_refs") << "5"; // resets VmHWM to VmRSS (Linux >= 4.0); ignored where it cannot
}

void require_fits(const MemoryPlan &p, uint64_t budget, const std::string &model) {
  if (!budget || p.total() <= budget) return;
  throw Error(model + "." + p.name + " needs " + format_bytes(p.total()) + " (parameters " + format_bytes(p.parameters) +
              ", optimizer state " + format_bytes(p.optimizer_state) + ", temporaries " + format_bytes(p.temporaries) +
              " of which gradients " + format_bytes(p.gradients) + " and activations for backward " +
              format_bytes(p.activations) + ", inputs and outputs " + format_bytes(p.inputs_outputs) +
              "): more than the memory budget of " + format_bytes(budget));
}

} // namespace loom::rt
