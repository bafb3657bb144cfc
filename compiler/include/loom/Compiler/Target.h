// The code-generation targets as data: one record each, which the generator's
// --target= parsing, the pipeline (Lower.cpp), the exports' symbols and the
// header read instead of comparing names. Header-only and free of MLIR: the
// importer names functions by it too.
#pragma once

#include <string>
#include <string_view>

namespace loom {

struct Target {
  enum class Kind { cpu, cuda, cudaEmulator };
  Kind kind;
  std::string_view name;         // --target=
  std::string_view symbolSuffix; // of its exports' symbols: one library holds a model's CPU and CUDA code
  bool gpu;                      // GPU kernels (on a GPU or emulated): none of the CPU-only steps (arena,
                                 // micro-kernels, fusion that keeps convolutions, NaN checks)
  bool ptx;                      // has the ptx stage (--emit=ptx)
  std::string_view description;  // for --help
};

/// Every target, in the order --help lists them. cuda-emulator code stands in
/// for the cuda code, under its symbols (kernels as loops on the CPU).
inline constexpr Target kTargets[] = {
    {Target::Kind::cpu, "cpu", "", false, false, "CPU code for the x86-64 machine given by --cpu"},
    {Target::Kind::cuda, "cuda", "_cuda", true, true, "NVIDIA GPUs: PTX kernels launched by host code"},
    {Target::Kind::cudaEmulator, "cuda-emulator", "_cuda", true, false,
     "the cuda target's kernels as loops on the CPU, under the cuda entry points (tests without a GPU)"},
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
