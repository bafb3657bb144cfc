// Each export as compiled, read off the bufferized module: its C entry
// point's arguments in order (loom.param, loom.state, loom.input,
// loom.output, loom.arena: the importer and -loom-autodiff put them there,
// so the header follows the function instead of re-deriving it) and its
// memory plan by category (loom.frozen keeps a parameter out of the
// gradients; -loom-plan-arena's loom.arena_bytes is the temporaries, and
// loom.saved_bytes the activations the backward pass reads).
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

static rt::DType dtypeOf(Type element) {
  if (element.isF32()) return rt::DType::f32;
  for (const rt::DTypeInfo &d : rt::kDTypes)
    if (!d.floating && element.isSignlessInteger(d.bits)) return d.dtype;
  llvm::report_fatal_error("loom: an export argument of a type the runtime has no dtype for");
}

static AbiArg argOf(func::FuncOp fn, unsigned i) {
  AbiArg a;
  auto text = [&](StringRef attr) {
    auto s = fn.getArgAttrOfType<StringAttr>(i, attr);
    return s ? std::optional<std::string>(s.getValue().str()) : std::nullopt;
  };
  if (fn.getArgAttr(i, "loom.arena")) a.role = AbiArg::arena;
  else if (auto n = text("loom.param")) a.role = AbiArg::param, a.name = *n;
  else if (auto n = text("loom.state")) a.role = AbiArg::state, a.name = *n;
  else if (auto n = text("loom.input")) a.role = graph::is_hidden_input(*n) ? AbiArg::hidden : AbiArg::input, a.name = *n;
  else if (auto n = text("loom.output")) a.role = AbiArg::output, a.name = *n;
  else llvm::report_fatal_error(llvm::Twine("loom: argument ") + llvm::Twine(i) + " of " + fn.getSymName() +
                                " has no loom.* role");
  if (auto g = text("loom.gradient_of")) a.gradientOf = *g;
  if (auto m = dyn_cast<MemRefType>(fn.getArgument(i).getType())) {
    a.shape.assign(m.getShape().begin(), m.getShape().end());
    if (a.role != AbiArg::arena) a.dtype = dtypeOf(m.getElementType());
  }
  return a;
}

std::vector<ExportAbi> readExports(ModuleOp m, const graph::Module &gm, const Target &target) {
  std::vector<ExportAbi> exports;
  for (const graph::Function &f : gm.functions) {
    auto fn = m.lookupSymbol<func::FuncOp>(exportSymbol(gm, f, target));
    if (!fn) llvm::report_fatal_error(llvm::Twine("loom: no compiled function for the export ") + f.name);
    ExportAbi e;
    e.name = f.name;
    if (f.kind == graph::Function::train)
      e.optimizer = f.optimizer.kind == graph::Optimizer::sgd && f.optimizer.momentum != 0 ? "sgd momentum"
                                                                                           : f.optimizer.name();
    loom::rt::MemoryPlan &p = e.bytes;
    for (unsigned i = 0; i < fn.getNumArguments(); ++i) {
      e.args.push_back(argOf(fn, i));
      uint64_t n = bytesOf(fn.getArgument(i).getType());
      switch (e.args.back().role) {
      case AbiArg::param:
        p.parameters += n;
        if (f.kind != graph::Function::forward && !fn.getArgAttr(i, "loom.frozen")) p.gradients += n;
        break;
      case AbiArg::state: p.optimizer_state += n; break;
      case AbiArg::input: case AbiArg::hidden: case AbiArg::output: p.inputs_outputs += n; break;
      case AbiArg::arena: break;
      }
    }
    if (auto a = fn->getAttrOfType<IntegerAttr>("loom.arena_bytes")) p.temporaries = a.getInt();
    if (auto a = fn->getAttrOfType<IntegerAttr>("loom.saved_bytes")) p.activations = a.getInt();
    exports.push_back(std::move(e));
  }
  return exports;
}

std::string formatMemory(const std::vector<ExportAbi> &exports) {
  std::vector<loom::rt::MemoryPlan> views;
  for (const ExportAbi &e : exports) {
    loom::rt::MemoryPlan p = e.bytes;
    p.name = e.name.c_str(), p.optimizer = e.optimizer.c_str();
    views.push_back(p);
  }
  return loom::rt::format(views);
}

} // namespace loom
