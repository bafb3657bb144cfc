// The compiler's entry points, used by the generator driver and the tests.
#pragma once

#include "loom/Compiler/Target.h"
#include "loom/dsl/graph.hpp"
#include "loom/rt/memory.hpp"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "mlir/Support/LogicalResult.h"
#include "llvm/Support/raw_ostream.h"

#include <optional>
#include <string>
#include <vector>

namespace loom {

/// What --emit= stops at, in pipeline order (the table: Stages.def).
/// `ptx` exists only for --target=cuda; `memory` is each export's memory plan
/// (a table, read off the `buffers` stage).
enum class Stage {
#define LOOM_STAGE(enumerator, name, extension, help) enumerator,
#include "loom/Compiler/Stages.def"
#undef LOOM_STAGE
};

/// A stage's row of Stages.def.
struct StageInfo {
  Stage stage;
  const char *name, *extension, *help;
};
inline constexpr StageInfo kStages[] = {
#define LOOM_STAGE(enumerator, name, extension, help) {Stage::enumerator, name, extension, help},
#include "loom/Compiler/Stages.def"
#undef LOOM_STAGE
};

/// The --emit= spelling of each stage; parseStage is its inverse.
inline const char *stageName(Stage s) { return kStages[static_cast<int>(s)].name; }
std::optional<Stage> parseStage(llvm::StringRef name);
/// "loom, loom-grad, ..., obj or header", for messages.
std::string stageNames();

struct CompileOptions {
  std::string target = "cpu";    // --target= (code stages: one of kTargets, loom/Compiler/Target.h)
  std::vector<std::string> headerTargets{"cpu"}; // --target= list for --emit=header: the entry points it declares
  std::string cudaChip = "sm_80"; // --cuda-chip= (PTX for it runs on that GPU generation and newer)
  std::string cudaToolkit;        // --cuda-toolkit= (for libdevice; default $CUDA_HOME, /usr/local/cuda)
  std::string cpu = "x86-64-v3"; // --cpu= (an LLVM CPU name, or "native")
  std::string dumpDir;           // --dump-dir: one numbered file per stage
  std::vector<Stage> dumpStages; // --dump-stages: only these stages into --dump-dir (empty: all)
  bool printIrAfterAll = false;  // --print-ir-after-all
  bool printLocations = false;   // --print-locations: model.cpp:line:col on every op
  bool checkNumerics = false;    // --check-numerics: NaN/Inf checks after every op (cpu; fusion off)
};

/// Registers every dialect, interface and translation the pipeline uses.
void registerCompilerDialects(mlir::DialectRegistry &registry);

/// The traced graph as a `loom` module, verified; errors name the model source
/// line. Functions are named exportSymbol(m, f, target).
mlir::OwningOpRef<mlir::ModuleOp> importGraph(mlir::MLIRContext &ctx, const graph::Module &m,
                                              const Target &target = kTargets[0]);

/// One argument of an export's compiled C entry point, read off its
/// bufferized signature (the loom.* argument attributes), in ABI order.
struct AbiArg {
  enum Role { param, state, input, hidden, output, arena } role;
  std::string name;           // the attribute's value: "fc1.weight", "adam.w.exp_avg", "x", "lr", "logits"
  rt::DType dtype = rt::DType::f32;
  std::vector<int64_t> shape;
  std::string gradientOf;     // a gradient export's output: the parameter or input it is the gradient of
};

/// One export as compiled: its entry point's arguments and its memory plan
/// (the runtime's categories, loom/rt/memory.hpp; its name and optimizer left
/// empty there, with the strings they name here).
struct ExportAbi {
  std::string name, optimizer;
  std::vector<AbiArg> args;
  loom::rt::MemoryPlan bytes;
};
/// Every export, from the module at the `buffers` stage (the CPU target's:
/// its arena is the temporaries' figure, and an arena argument ends the CPU
/// entry point's arguments). Functions are found by exportSymbol(m, f, target).
std::vector<ExportAbi> readExports(mlir::ModuleOp bufferized, const graph::Module &m, const Target &target);
/// The plans as the runtime prints them (loom::rt::format).
std::string formatMemory(const std::vector<ExportAbi> &exports);

/// The C++ header with the typed entry points of each export and their memory
/// plans, for the targets the model's library is built for
/// (opts.headerTargets: cpu, cuda) and with the NaN guard if opts.checkNumerics.
std::string generateHeader(const graph::Module &m, const std::vector<ExportAbi> &exports,
                           const CompileOptions &opts = CompileOptions());

/// Symbol of an export's compiled function for `target` (loom_MODEL_EXPORT and the target's suffix).
std::string exportSymbol(const graph::Module &m, const graph::Function &f, const Target &target = kTargets[0]);

/// Runs the pipeline (Lower.cpp) up to `emit` and writes that stage to `out`.
mlir::LogicalResult compile(const graph::Module &m, Stage emit, const CompileOptions &opts,
                            llvm::raw_ostream &out);

} // namespace loom
