// main() of every model generator: trace the LOOM_GENERATOR body, then run the
// pipeline to the requested stage.
#include "loom/Compiler/Compiler.h"
#include "loom/dsl/export.hpp"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/ToolOutputFile.h"

#include <cstring>
#include <string>
#include <vector>

namespace {

const char *const kUsage = R"(usage: %s [options]

Traces the model's exports and compiles them.

  --emit=STAGE          what to write (default: loom; the stages are listed below)
  -o FILE               write there instead of stdout (removed again if compilation fails)
  --dump-dir DIR        also write every stage as DIR/NN-STAGE.EXT
  --dump-stages=LIST    with --dump-dir, only these stages (e.g. kernels,ptx)
  --print-ir-after-all  print the IR after each MLIR pass to stderr
  --print-locations     show each op's model-source file:line:col in MLIR stages
  --check-numerics      check every op's f32 outputs for NaN and Inf (cpu target; fusion off,
                        so slower): the first one stops the call with an error naming the op,
                        its model-source line and the step (as JAX's debug_nans)
  --target=T            code-generation target (default cpu; the list below); for
                        --emit=header a list, e.g. cpu,cuda: the targets it declares
  --cpu=NAME            LLVM CPU name for (host) code (default x86-64-v3; 'native' for this machine)
  --cuda-chip=SM        GPU generation the PTX is for (default sm_80; runs there and on newer GPUs)
  --cuda-toolkit=DIR    CUDA toolkit with nvvm/libdevice (default $CUDA_HOME, /usr/local/cuda, /usr/lib/cuda)
  --help                this text
)";

int fail(const std::string &msg) {
  std::fprintf(stderr, "%s: error: %s\n(run with --help for the options)\n", loom::detail::generator_entry().name ? loom::detail::generator_entry().name : "generator", msg.c_str());
  return 2;
}

/// --name=value, or --name value.
bool option(int argc, char **argv, int &i, const char *name, std::string &value) {
  size_t n = std::strlen(name);
  if (std::strncmp(argv[i], name, n) != 0) return false;
  if (argv[i][n] == '=') return value = argv[i] + n + 1, true;
  if (argv[i][n] != 0) return false;
  if (i + 1 >= argc) throw std::string(name) + " needs a value";
  value = argv[++i];
  return true;
}

/// "a,b,c" -> {"a", "b", "c"} (empty items kept, so the caller rejects them).
std::vector<std::string> commaList(const std::string &v) {
  std::vector<std::string> items;
  for (size_t a = 0; a <= v.size();) {
    size_t b = std::min(v.find(',', a), v.size());
    items.push_back(v.substr(a, b - a));
    a = b + 1;
  }
  return items;
}

} // namespace

int main(int argc, char **argv) {
  loom::CompileOptions opts;
  loom::Stage emit = loom::Stage::loom;
  std::string output;
  try {
    for (int i = 1; i < argc; ++i) {
      std::string v;
      if (!std::strcmp(argv[i], "--help") || !std::strcmp(argv[i], "-h")) {
        std::printf(kUsage, argv[0]);
        std::printf("\nstages (--emit, --dump-stages):\n");
        for (const loom::StageInfo &s : loom::kStages) {
          std::string help = s.help;
          for (size_t at = 0; (at = help.find('\n', at)) != std::string::npos; at += 24) help.replace(at, 1, "\n" + std::string(23, ' '));
          std::printf("  %-20s %s\n", s.name, help.c_str());
        }
        std::printf("\ntargets:\n");
        for (const loom::Target &t : loom::kTargets)
          std::printf("  %-20s  %s\n", std::string(t.name).c_str(), std::string(t.description).c_str());
        return 0;
      } else if (!std::strcmp(argv[i], "--print-ir-after-all")) {
        opts.printIrAfterAll = true;
      } else if (!std::strcmp(argv[i], "--print-locations")) {
        opts.printLocations = true;
      } else if (!std::strcmp(argv[i], "--check-numerics")) {
        opts.checkNumerics = true;
      } else if (option(argc, argv, i, "--emit", v)) {
        auto s = loom::parseStage(v);
        if (!s) throw "unknown --emit=" + v + " (expected " + loom::stageNames() + ")";
        emit = *s;
      } else if (option(argc, argv, i, "-o", output) || option(argc, argv, i, "--dump-dir", opts.dumpDir) ||
                 option(argc, argv, i, "--cpu", opts.cpu)) {
      } else if (option(argc, argv, i, "--dump-stages", v)) {
        for (const std::string &name : commaList(v)) {
          auto s = loom::parseStage(name);
          if (!s) throw "unknown stage '" + name + "' in --dump-stages=" + v + " (stages as for --emit)";
          opts.dumpStages.push_back(*s);
        }
      } else if (option(argc, argv, i, "--target", v)) {
        opts.headerTargets.clear();
        for (const std::string &t : commaList(v)) {
          if (!loom::findTarget(t)) throw "unknown --target=" + t + " (supported: " + loom::targetNames() + ")";
          opts.headerTargets.push_back(t);
        }
        opts.target = opts.headerTargets.front();
      } else if (option(argc, argv, i, "--cuda-chip", opts.cudaChip)) {
        if (opts.cudaChip.rfind("sm_", 0) != 0) throw "--cuda-chip=" + opts.cudaChip + ": expected sm_NN, e.g. sm_80 or sm_90";
      } else if (option(argc, argv, i, "--cuda-toolkit", opts.cudaToolkit)) {
      } else {
        throw "unknown option '" + std::string(argv[i]) + "'";
      }
    }
  } catch (const std::string &msg) {
    return fail(msg);
  }
  if (emit == loom::Stage::object && (output.empty() || output == "-"))
    return fail("--emit=obj writes a binary file: give -o FILE");
  if (opts.cpu.empty()) return fail("--cpu needs a CPU name");
  if (!opts.dumpStages.empty() && opts.dumpDir.empty()) return fail("--dump-stages needs --dump-dir DIR");
  if (opts.headerTargets.size() > 1 && emit != loom::Stage::header)
    return fail("--target=" + opts.target + ",...: code is generated for one target at a time (a list is for --emit=header)");

  loom::graph::Module module = loom::detail::trace_generator();

  std::error_code ec;
  llvm::ToolOutputFile out(output.empty() ? "-" : output, ec, llvm::sys::fs::OF_None);
  if (ec) return fail("cannot open " + output + ": " + ec.message());
  if (failed(loom::compile(module, emit, opts, out.os()))) return 1;
  out.keep();
  return 0;
}
