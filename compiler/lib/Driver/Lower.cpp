// The path of a model, one stage after another. Each stage can be printed with
// --emit=<stage> and is written as a numbered file by --dump-dir; the pass
// pipelines are the same strings loom-opt / mlir-opt accept, so any stage can
// be reproduced by hand from the previous one.
#include "loom/Compiler/Compiler.h"
#include "loom/Dialect/LoomOps.h"
#include "loom/Transforms/Passes.h"
#include "cpu/CpuTarget.h"
#include "cuda/CudaTarget.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/Path.h"
#include "llvm/Transforms/Utils/Cloning.h"

using namespace mlir;

namespace loom {

std::optional<Stage> parseStage(llvm::StringRef name) {
  for (const StageInfo &s : kStages)
    if (name == s.name) return s.stage;
  return std::nullopt;
}

std::string stageNames() {
  std::string names;
  for (const StageInfo &s : kStages)
    names += (names.empty() ? "" : &s == std::end(kStages) - 1 ? " or " : ", ") + std::string(s.name);
  return names;
}

void registerCompilerDialects(DialectRegistry &registry) {
  registerAllDialects(registry);
  registerAllExtensions(registry);
  registerAllToLLVMIRTranslations(registry); // incl. gpu and nvvm, for the CUDA target
  registry.insert<LoomDialect>();
}

namespace {

// linalg on tensors -> memrefs, the same for every target: parameter and state
// updates are written into their arguments and dropped from the results
// (loom-update-in-place + drop-equivalent-buffer-results); every other result
// is a fresh buffer (loom-fresh-results) that becomes the caller's
// out-parameter (no copy); every op's output starts from a fill of its own
// (loom-fresh-inits), not from a copy of a shared zero buffer. The ABI is
// params, state, inputs, outputs. Temporaries are still allocations here: the
// CPU's arena (cpu::kArenaPipeline) or the GPU's buffer deallocation takes them on.
const char *const kBufferizePipeline =
    "func.func(loom-update-in-place,loom-fresh-results,loom-fresh-inits),eliminate-empty-tensors,"
    "one-shot-bufferize{bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map},"
    "drop-equivalent-buffer-results,buffer-results-to-out-params{hoist-static-allocs}";

/// Writes each stage where it was asked for: to `out` for --emit, and to
/// DIR/NN-stage.ext for --dump-dir.
struct StageWriter {
  Stage emit;
  const CompileOptions &opts;
  llvm::raw_ostream &out;

  bool dumps(Stage s) const {
    return !opts.dumpDir.empty() && (opts.dumpStages.empty() || llvm::is_contained(opts.dumpStages, s));
  }
  /// The last stage anything is asked of.
  Stage last() const {
    Stage l = emit;
    if (!opts.dumpDir.empty())
      l = std::max(l, opts.dumpStages.empty() ? Stage::header : *llvm::max_element(opts.dumpStages));
    return l;
  }

  /// Returns true once the pipeline has produced everything asked for.
  template <class Print> bool operator()(Stage s, Print &&print) {
    if (s == emit) print(out);
    if (dumps(s)) {
      llvm::SmallString<128> path(opts.dumpDir);
      llvm::sys::path::append(path, llvm::formatv("{0:2}-{1}.{2}", static_cast<int>(s) + 1,
                                                  stageName(s), kStages[static_cast<int>(s)].extension)
                                        .str());
      std::error_code ec;
      llvm::raw_fd_ostream file(path, ec);
      if (ec) llvm::errs() << "loom: cannot write " << path << ": " << ec.message() << "\n";
      else print(file);
    }
    return s >= last();
  }
};

LogicalResult runPasses(ModuleOp module, llvm::StringRef pipeline, const CompileOptions &opts) {
  PassManager pm(module.getContext());
  if (opts.printIrAfterAll) {
    module.getContext()->disableMultithreading();
    pm.enableIRPrinting();
  }
  if (failed(parsePassPipeline(pipeline, pm, llvm::errs())))
    return failure();
  return pm.run(module);
}

/// loom's argument attributes (loom.param = "conv1.weight", ...) mean nothing
/// to LLVM IR: the translation would warn about each one, printing the whole
/// function into every warning (minutes for a ResNet's train step).
void dropLoomArgAttrs(ModuleOp m) {
  auto others = [](DictionaryAttr d) {
    SmallVector<NamedAttribute> kept;
    if (d)
      for (NamedAttribute a : d)
        if (!a.getName().strref().starts_with("loom.")) kept.push_back(a);
    return kept;
  };
  m.walk([&](LLVM::LLVMFuncOp op) {
    auto fn = cast<FunctionOpInterface>(op.getOperation());
    for (unsigned i = 0; i < fn.getNumArguments(); ++i) fn.setArgAttrs(i, others(fn.getArgAttrDict(i)));
    for (unsigned i = 0; i < fn.getNumResults(); ++i) fn.setResultAttrs(i, others(fn.getResultAttrDict(i)));
  });
}

} // namespace

LogicalResult compile(const graph::Module &gm, Stage emit, const CompileOptions &opts,
                      llvm::raw_ostream &out) {
  static bool registered = [] {
    registerAllPasses();
    registerLoomPasses();
    return true;
  }();
  (void)registered;
  // The header alone needs the memory plans, which the CPU pipeline up to its
  // buffers gives (for every target: the plan is the CPU arena's).
  const bool headerOnly = emit == Stage::header && opts.dumpDir.empty();
  const Target *found = findTarget(headerOnly ? "cpu" : opts.target);
  if (!found) {
    llvm::errs() << "loom: unknown --target=" << opts.target << " (supported: " << targetNames() << ")\n";
    return failure();
  }
  const Target &target = *found;
  const bool cuda = target.kind == Target::Kind::cuda, emulator = target.kind == Target::Kind::cudaEmulator;
  if (!target.ptx && emit == Stage::ptx) {
    llvm::errs() << "loom: --emit=" << stageName(emit) << " exists only for --target=cuda\n";
    return failure();
  }
  auto gpuTarget = [](const std::string &t) {
    const Target *h = findTarget(t);
    return !h || h->gpu;
  };
  if (opts.checkNumerics && (target.gpu || llvm::any_of(opts.headerTargets, gpuTarget))) {
    llvm::errs() << "loom: --check-numerics checks CPU code only (--target=cpu); the cuda target has no NaN guard yet\n";
    return failure();
  }
  std::string libdevice;
  if (cuda && (libdevice = cuda::findLibdevice(opts.cudaToolkit)).empty()) {
    llvm::errs() << "loom: --target=cuda needs the CUDA toolkit's nvvm/libdevice/libdevice.10.bc (math functions); "
                 << (opts.cudaToolkit.empty() ? "none under $CUDA_HOME, /usr/local/cuda or /usr/lib/cuda: give --cuda-toolkit=DIR"
                                              : "not found under --cuda-toolkit=" + opts.cudaToolkit)
                 << "\n";
    return failure();
  }
  if (!opts.dumpDir.empty())
    if (auto ec = llvm::sys::fs::create_directories(opts.dumpDir)) {
      llvm::errs() << "loom: cannot create --dump-dir " << opts.dumpDir << ": " << ec.message() << "\n";
      return failure();
    }
  StageWriter stage{emit, opts, out};
  OpPrintingFlags flags;
  // Locations inline ("relu"(model.cpp:11:21) on the op), not as #loc aliases
  // at the end of the module, which would need reading twice.
  if (opts.printLocations) flags.enableDebugInfo(/*enable=*/true, /*prettyForm=*/true).useLocalScope();
  auto printOp = [&](ModuleOp m) { return [m, flags](llvm::raw_ostream &os) mutable { m.print(os, flags); }; };

  DialectRegistry registry;
  registerCompilerDialects(registry);
  MLIRContext ctx(registry);

  // 1. The traced graph as `loom` ops.
  OwningOpRef<ModuleOp> module = importGraph(ctx, gm, target);
  if (!module) return failure();
  ModuleOp m = *module;
  if (stage(Stage::loom, printOp(m))) return success();

  // 2. Train steps and gradient exports get their backward pass and optimizer update.
  if (failed(runPasses(m, "loom-autodiff,canonicalize,cse", opts))) return failure();
  if (stage(Stage::loom_grad, printOp(m))) return success();

  // 3. linalg on tensors.
  if (failed(runPasses(m, "loom-to-linalg,canonicalize", opts))) return failure();
  if (stage(Stage::linalg, printOp(m))) return success();

  // 4. Elementwise fusion: producer chains become single generics (on the CPU
  //    none into a convolution: it keeps its micro-kernel, its padding is
  //    written once). --check-numerics keeps every op apart, to check each.
  if (failed(runPasses(m, opts.checkNumerics ? "canonicalize,cse"
                          : target.gpu ? "loom-fuse-elementwise,canonicalize,cse"
                                             : cpu::kFusePipeline,
                       opts)))
    return failure();
  if (stage(Stage::fused, printOp(m))) return success();

  // 5. Buffers (the bufferization is every target's; target-specific from here on).
  //    CPU temporaries are views of one arena per export, planned from their
  //    lifetimes; on the GPU they are allocated and freed as they come.
  if (failed(runPasses(m, kBufferizePipeline, opts))) return failure();
  std::vector<ExportAbi> plans;
  if (target.gpu) {
    // The plan is the CPU arena's: planned on a copy.
    OwningOpRef<ModuleOp> copy(m.clone());
    if (failed(runPasses(*copy, cpu::kArenaPipeline, opts))) return failure();
    plans = readExports(*copy, gm, target);
  }
  if (failed(runPasses(m, target.gpu ? "buffer-deallocation-pipeline,canonicalize,cse" : cpu::kArenaPipeline, opts)))
    return failure();
  if (!target.gpu) plans = readExports(m, gm, target);
  if (stage(Stage::buffers, printOp(m))) return success();

  // 5b. Each export's memory plan, by category (loom/rt/memory.hpp); the header carries it too.
  if (headerOnly) return out << generateHeader(gm, plans, opts), success();
  if (stage(Stage::memory, [&](llvm::raw_ostream &os) { os << formatMemory(plans); })) return success();

  // 6. Kernels. CPU: every linalg op becomes a call of a kernel function, one
  //    per distinct (op, shapes, attributes), so LLVM optimises each once.
  //    CUDA: every linalg op becomes a GPU kernel, all in one gpu.module (the
  //    emulator runs each kernel as loops on the CPU instead).
  //    --check-numerics: every op's f32 outputs are checked right after it.
  if (opts.checkNumerics && failed(runPasses(m, "loom-check-numerics", opts))) return failure();
  if (failed(runPasses(m, cuda ? cuda::kKernelsPipeline : emulator ? cuda::kEmulatorPipeline : cpu::kKernelsPipeline,
                       opts)))
    return failure();
  if (stage(Stage::kernels, printOp(m))) return success();

  // 7. LLVM dialect (CUDA: the host code, and the kernels compiled to PTX and embedded).
  if (failed(runPasses(m, cuda ? cuda::toLLVMPipeline(opts.cudaChip, libdevice) : emulator ? cuda::emulatorToLLVMPipeline() : cpu::toLLVMPipeline(), opts)))
    return failure();
  if (stage(Stage::llvm_mlir, printOp(m))) return success();
  if (target.ptx && stage(Stage::ptx, [&](llvm::raw_ostream &os) { os << cuda::ptx(m); })) return success();

  // 8. LLVM IR (host code), optimised at O3 for the chosen CPU.
  llvm::LLVMContext llvmCtx;
  dropLoomArgAttrs(m);
  std::unique_ptr<llvm::Module> llvmModule = translateModuleToLLVMIR(m, llvmCtx, gm.name);
  if (!llvmModule) return failure();
  cpu::Machine machine = cpu::machineFor(opts.cpu);
  std::string error;
  if (!cpu::optimize(*llvmModule, machine, error)) {
    llvm::errs() << "loom: " << error << "\n";
    return failure();
  }
  if (stage(Stage::llvm, [&](llvm::raw_ostream &os) { llvmModule->print(os, nullptr); })) return success();

  // 9-10. Assembly and the object file.
  for (Stage s : {Stage::assembly, Stage::object}) {
    bool ok = true;
    if (stage(s, [&](llvm::raw_ostream &os) {
          // Code generation changes the IR it runs on: give each file its own copy.
          ok = ok && cpu::emitCode(*llvm::CloneModule(*llvmModule), machine, s == Stage::assembly, os, error);
        }) || !ok) {
      if (!ok) llvm::errs() << "loom: " << error << "\n";
      return success(ok);
    }
  }

  // 11. The header (the traced graph and the memory plans).
  stage(Stage::header, [&](llvm::raw_ostream &os) { os << generateHeader(gm, plans, opts); });
  return success();
}

} // namespace loom
