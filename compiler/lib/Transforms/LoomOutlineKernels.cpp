// -loom-outline-kernels: every linalg op on buffers becomes a call of a kernel
// function, one per distinct (op, shapes, attributes), shared by all its uses.
//
// Why: an export used to be one function holding every loop nest of the
// network, which LLVM's O3 optimises whole; its time grew faster than the
// network's depth (ResNet-50: 2.5x ResNet-18's convolutions, 5.7x its compile
// time). Outlined, LLVM sees one small function per distinct kernel (a
// ResNet's repeated blocks share theirs) and a flat sequence of calls.
#include "loom/Transforms/Passes.h"
#include "BufferViews.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Transforms/RegionUtils.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/Debug.h"

#define DEBUG_TYPE "loom-outline-kernels"

namespace loom {
#define GEN_PASS_DEF_LOOMOUTLINEKERNELS
#include "loom/Transforms/Passes.h.inc"
} // namespace loom

using namespace mlir;
using loom::rootBuffer;

namespace {

struct Kernel {
  SmallVector<Value> args;      // call operands, each value once
  SmallVector<Operation *> constants; // cloned into the kernel
};

/// The operands of `op` and the values its body uses from outside: constants
/// are cloned into the kernel, anything else becomes an argument.
Kernel collect(linalg::LinalgOp op) {
  Kernel k;
  llvm::SetVector<Value> args;
  for (Value v : op->getOperands()) args.insert(v);
  llvm::SetVector<Value> above;
  getUsedValuesDefinedAbove(op->getRegions(), above);
  for (Value v : above) {
    Operation *def = v.getDefiningOp();
    if (def && def->getNumResults() == 1 && matchPattern(v, m_Constant())) k.constants.push_back(def);
    else args.insert(v);
  }
  k.args = args.takeVector();
  return k;
}

struct LoomOutlineKernelsPass : loom::impl::LoomOutlineKernelsBase<LoomOutlineKernelsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    MLIRContext *ctx = module.getContext();
    SymbolTable symbols(module);
    llvm::StringMap<func::FuncOp> byBody; // printed kernel (name elided) -> kernel
    unsigned ops = 0;
    OpBuilder b(ctx);
    auto exports = llvm::to_vector(module.getOps<func::FuncOp>());
    for (func::FuncOp fn : exports) {
      if (fn.isExternal()) continue;
      SmallVector<linalg::LinalgOp> todo;
      fn.walk([&](linalg::LinalgOp op) {
        if (op.hasPureBufferSemantics()) todo.push_back(op);
      });
      for (linalg::LinalgOp op : todo) {
        ++ops;
        Kernel k = collect(op);
        // Arguments that are the only view of their buffer among this call's
        // operands cannot overlap another argument: noalias, so LLVM keeps
        // values in registers and vectorizes as it did inside the export.
        // (Distinct function arguments are distinct buffers: the ABI's rule.)
        llvm::DenseMap<Value, int> roots;
        for (Value a : k.args)
          if (isa<MemRefType>(a.getType())) ++roots[rootBuffer(a)];
        SmallVector<Type> types;
        for (Value a : k.args) types.push_back(a.getType());

        // Built detached, so printing it does not walk the whole module.
        auto kernel = func::FuncOp::create(op.getLoc(), "loom_kernel", b.getFunctionType(types, {}));
        for (auto [i, a] : llvm::enumerate(k.args))
          if (isa<MemRefType>(a.getType()) && roots[rootBuffer(a)] == 1)
            kernel.setArgAttr(i, LLVM::LLVMDialect::getNoAliasAttrName(), b.getUnitAttr());
        Block *entry = kernel.addEntryBlock();
        OpBuilder kb = OpBuilder::atBlockBegin(entry);
        IRMapping map;
        for (auto [a, arg] : llvm::zip(k.args, entry->getArguments())) map.map(a, arg);
        for (Operation *c : k.constants) kb.clone(*c, map);
        kb.clone(*op, map);
        kb.create<func::ReturnOp>(op.getLoc());

        std::string text;
        llvm::raw_string_ostream os(text);
        kernel.print(os, OpPrintingFlags().useLocalScope());
        auto [it, fresh] = byBody.try_emplace(text, kernel);
        if (fresh) {
          kernel.setPrivate();
          // Internal to the model's object: two models in one program have their own k0.
          kernel->setAttr("llvm.linkage", LLVM::LinkageAttr::get(ctx, LLVM::Linkage::Internal));
          // Kept apart from the export: inlined back, LLVM would optimise one
          // huge function again.
          kernel->setAttr("passthrough", b.getArrayAttr({b.getStringAttr("noinline")}));
          std::string base = (llvm::Twine("k") + llvm::Twine(byBody.size() - 1) + "_" +
                              op->getName().stripDialect().str())
                                 .str();
          kernel.setName(base);
          symbols.insert(kernel); // at the module's end; uniquifies the name if it is taken
        } else {
          kernel.erase();
        }
        b.setInsertionPoint(op);
        b.create<func::CallOp>(op.getLoc(), it->second, k.args);
        op->erase();
      }
    }
    LLVM_DEBUG(llvm::dbgs() << "loom-outline-kernels: " << ops << " linalg ops -> " << byBody.size()
                            << " kernels\n");
    (void)ops;
  }
};

} // namespace
