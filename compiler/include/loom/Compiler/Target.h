// The code-generation targets as data: one record each (Targets.def), which
// the generator's --target= parsing, the pipeline (Lower.cpp), the exports'
// symbols, the header and CMake read instead of comparing names. Header-only
// and free of MLIR: the importer names functions by it too.
#pragma once

#include <string>
#include <string_view>

namespace loom {

struct Target {
#define LOOM_TARGET(kind, name, suffix, gpu, ptx, library, help) kind,
  enum class Kind {
#include "loom/Compiler/Targets.def"
  };
#undef LOOM_TARGET
  Kind kind;
  std::string_view name;         // --target=
  std::string_view symbolSuffix; // of its exports' symbols: one library holds a model's CPU and CUDA code
  bool gpu;                      // GPU kernels (on a GPU or emulated): none of the CPU-only steps
  bool ptx;                      // has the ptx stage (--emit=ptx)
  bool library;                  // loom_add_model(... TARGETS) may build a model's library for it
  std::string_view description;  // for --help
};

/// Every target, in the order --help lists them. cuda-emulator code stands in
/// for the cuda code, under its symbols (kernels as loops on the CPU).
inline constexpr Target kTargets[] = {
#define LOOM_TARGET(kind, name, suffix, gpu, ptx, library, help) {Target::Kind::kind, name, suffix, gpu, ptx, library, help},
#include "loom/Compiler/Targets.def"
#undef LOOM_TARGET
};

/// The target called `name`, or null.
inline const Target *findTarget(std::string_view name) {
  for (const Target &t : kTargets)
    if (t.name == name) return &t;
  return nullptr;
}

/// "cpu, cuda, cuda-emulator": for messages about an unknown target.
inline std::string targetNames() {
  std::string s;
  for (const Target &t : kTargets) s += (s.empty() ? "" : ", ") + std::string(t.name);
  return s;
}

} // namespace loom
