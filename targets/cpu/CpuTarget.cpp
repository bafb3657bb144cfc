#include "cpu/CpuTarget.h"

#include "llvm/IR/LegacyPassManager.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/TargetParser/Host.h"

#include <memory>

namespace loom::cpu {

// Temporaries: views of one arena per export, planned from lifetimes (the
// runtime allocates it once per Model), instead of an allocation and a free each.
const char *const kArenaPipeline = "loom-plan-arena,canonicalize,cse";

const char *const kFusePipeline = "loom-fuse-elementwise{keep-convolutions},canonicalize,cse";

// Convolutions call the runtime's micro-kernels; every other linalg op becomes
// one function per distinct kernel, called from the exports, and runs on the
// runtime's threads where it has the work; reductions left as loops may be
// vectorized by LLVM (after the micro-kernels took the contractions).
// A data-parallel step's all-reduce calls the runtime first (any target).
const char *const kKernelsPipeline =
    "loom-all-reduce-to-runtime,loom-cpu-ukernels,loom-vectorize-reductions,loom-outline-kernels,loom-parallel-kernels";

// What no micro-kernel took (kKernelsPipeline) becomes loops here, which LLVM's
// O3 vectorizes. lower-affine follows expand-strided-metadata, which writes a
// dynamic subview's offset (a kernel part's slice) as an affine.apply.
std::string toLLVMPipeline(bool runtimeAllocs) {
  return std::string("convert-linalg-to-loops,expand-strided-metadata,lower-affine,convert-scf-to-cf,") +
         (runtimeAllocs ? "finalize-memref-to-llvm{use-generic-functions}," : "finalize-memref-to-llvm{use-aligned-alloc},") +
         "convert-math-to-llvm,convert-math-to-libm,"
         "convert-arith-to-llvm,convert-index-to-llvm,convert-cf-to-llvm,"
         "convert-func-to-llvm{use-bare-ptr-memref-call-conv},reconcile-unrealized-casts,"
         "ensure-debug-info-scope-on-llvm-func";
}

Machine machineFor(const std::string &cpu) {
  Machine m{llvm::sys::getDefaultTargetTriple(), cpu, ""};
  if (cpu == "native") {
    m.cpu = llvm::sys::getHostCPUName().str();
    llvm::StringMap<bool> features = llvm::sys::getHostCPUFeatures();
    for (auto &f : features) m.features += (m.features.empty() ? "" : ",") + std::string(f.second ? "+" : "-") + f.first().str();
  }
  return m;
}

static std::unique_ptr<llvm::TargetMachine> targetMachine(const Machine &machine, std::string &error) {
  llvm::InitializeNativeTarget();
  llvm::InitializeNativeTargetAsmPrinter();
  const llvm::Target *target = llvm::TargetRegistry::lookupTarget(machine.triple, error);
  if (!target) return nullptr;
  std::unique_ptr<llvm::MCSubtargetInfo> sti(target->createMCSubtargetInfo(machine.triple, machine.cpu, ""));
  if (!sti || !sti->isCPUStringValid(machine.cpu)) {
    error = "unknown CPU '" + machine.cpu + "' for " + machine.triple +
            " (try x86-64, x86-64-v2, x86-64-v3, x86-64-v4, a CPU name such as znver4, or native)";
    return nullptr;
  }
  return std::unique_ptr<llvm::TargetMachine>(target->createTargetMachine(
      machine.triple, machine.cpu, machine.features, llvm::TargetOptions(), llvm::Reloc::PIC_,
      std::nullopt, llvm::CodeGenOptLevel::Aggressive));
}

bool optimize(llvm::Module &m, const Machine &machine, std::string &error) {
  auto tm = targetMachine(machine, error);
  if (!tm) return false;
  m.setTargetTriple(machine.triple);
  m.setDataLayout(tm->createDataLayout());
  llvm::LoopAnalysisManager lam;
  llvm::FunctionAnalysisManager fam;
  llvm::CGSCCAnalysisManager cgam;
  llvm::ModuleAnalysisManager mam;
  // As clang -O3: PipelineTuningOptions leaves the SLP vectorizer off by default
  // (independent sums, such as a convolution's row of outputs, stay scalar).
  llvm::PipelineTuningOptions pto;
  pto.LoopVectorization = true;
  pto.SLPVectorization = true;
  llvm::PassBuilder pb(tm.get(), pto);
  pb.registerModuleAnalyses(mam);
  pb.registerCGSCCAnalyses(cgam);
  pb.registerFunctionAnalyses(fam);
  pb.registerLoopAnalyses(lam);
  pb.crossRegisterProxies(lam, fam, cgam, mam);
  pb.buildPerModuleDefaultPipeline(llvm::OptimizationLevel::O3).run(m, mam);
  return true;
}

bool emitCode(llvm::Module &m, const Machine &machine, bool assembly, llvm::raw_ostream &out,
              std::string &error) {
  auto tm = targetMachine(machine, error);
  if (!tm) return false;
  llvm::SmallVector<char, 0> buffer;
  llvm::raw_svector_ostream stream(buffer);
  llvm::legacy::PassManager pm;
  auto type = assembly ? llvm::CodeGenFileType::AssemblyFile : llvm::CodeGenFileType::ObjectFile;
  if (tm->addPassesToEmitFile(pm, stream, nullptr, type)) {
    error = "the target cannot emit this file type";
    return false;
  }
  pm.run(m);
  out.write(buffer.data(), buffer.size());
  return true;
}

} // namespace loom::cpu
