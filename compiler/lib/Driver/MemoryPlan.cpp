// Each export's memory plan, read off the bufferized module: its arguments by
// category (loom.param, loom.frozen, loom.state, loom.input, loom.output), its
// arena (-loom-plan-arena's loom.arena_bytes) and the activations its backward
// pass reads (loom.saved_bytes, which -loom-plan-arena sums too).
#include "loom/Compiler/Compiler.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinTypes.h"

using namespace mlir;

namespace loom {

static uint64_t bytesOf(Type t) {
  auto m = dyn_cast<MemRefType>(t);
  if (!m || !m.hasStaticShape()) return 0;
  return uint64_t(m.getNumElements()) * std::max<uint64_t>(1, m.getElementTypeBitWidth() / 8);
}

std::vector<ExportMemory> planMemory(ModuleOp m, const graph::Module &gm, const Target &target) {
  std::vector<ExportMemory> plans;
  for (const graph::Function &f : gm.functions) {
    ExportMemory e;
    e.name = f.name;
    if (f.kind == graph::Function::train)
      e.optimizer = f.optimizer.kind == graph::Optimizer::sgd && f.optimizer.momentum != 0 ? "sgd momentum"
                                                                                           : f.optimizer.name();
    auto fn = m.lookupSymbol<func::FuncOp>(exportSymbol(gm, f, target));
    if (!fn) continue;
    loom::rt::MemoryPlan &p = e.bytes;
    for (unsigned i = 0; i < fn.getNumArguments(); ++i) {
      uint64_t n = bytesOf(fn.getArgument(i).getType());
      if (fn.getArgAttr(i, "loom.param")) {
        p.parameters += n;
        if (f.kind != graph::Function::forward && !fn.getArgAttr(i, "loom.frozen")) p.gradients += n;
      } else if (fn.getArgAttr(i, "loom.state")) {
        p.optimizer_state += n;
      } else if (fn.getArgAttr(i, "loom.input") || fn.getArgAttr(i, "loom.output")) {
        p.inputs_outputs += n;
      }
    }
    if (auto a = fn->getAttrOfType<IntegerAttr>("loom.arena_bytes")) p.temporaries = a.getInt();
    if (auto a = fn->getAttrOfType<IntegerAttr>("loom.saved_bytes")) p.activations = a.getInt();
    plans.push_back(std::move(e));
  }
  return plans;
}

std::string formatMemory(const std::vector<ExportMemory> &plans) {
  std::vector<loom::rt::MemoryPlan> views;
  for (const ExportMemory &e : plans) {
    loom::rt::MemoryPlan p = e.bytes;
    p.name = e.name.c_str(), p.optimizer = e.optimizer.c_str();
    views.push_back(p);
  }
  return loom::rt::format(views);
}

} // namespace loom
