// -loom-check-numerics: after every linalg op of an export that writes f32
// values, a call of the runtime's loom_rt_check_finite with the view it wrote
// and a text naming the op and its model-source line (the generator's
// --check-numerics; loom/rt/numerics.hpp turns the first non-finite value of
// a call into an Error).
//
// Why on buffers, before the kernels are outlined: each linalg op is still
// one op of the model (the guard turns fusion off), its output a static view
// whose address and layout are known here; the check is a call between two
// kernels, so kernels, their sharing and their threads are as without it.
#include "loom/Transforms/Passes.h"
#include "RuntimeCalls.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FormatVariadic.h"

namespace loom {
#define GEN_PASS_DEF_LOOMCHECKNUMERICS
#include "loom/Transforms/Passes.h.inc"
} // namespace loom

using namespace mlir;

namespace {

constexpr const char *kEntry = "loom_rt_check_finite";

/// "log at model.cpp:12:7": every op name in the location (a NameLoc, as the
/// importer and -loom-autodiff give them) with the first source line under
/// it, then any source line no name covers.
std::string describe(Location loc) {
  auto lineOf = [](Location l) -> std::string {
    std::string found;
    l->walk([&](Location inner) {
      if (auto f = dyn_cast<FileLineColLoc>(inner)) {
        found = llvm::formatv("{0}:{1}:{2}", f.getFilename().getValue(), f.getLine(), f.getColumn()).str();
        return WalkResult::interrupt();
      }
      return WalkResult::advance();
    });
    return found;
  };
  SmallVector<std::pair<std::string, std::string>> named; // (name, line)
  SmallVector<std::string> lines;
  loc->walk([&](Location l) {
    if (auto n = dyn_cast<NameLoc>(l)) {
      named.push_back({n.getName().str(), lineOf(n.getChildLoc())});
      return WalkResult::skip();
    }
    if (isa<FileLineColLoc>(l)) lines.push_back(lineOf(l));
    return WalkResult::advance();
  });
  SmallVector<std::string> parts;
  auto add = [&](std::string p) {
    if (!llvm::is_contained(parts, p)) parts.push_back(std::move(p));
  };
  for (auto &[name, line] : named) add(line.empty() ? name : name + " at " + line);
  for (const std::string &line : lines)
    if (llvm::none_of(named, [&](auto &n) { return n.second == line; })) add("the op at " + line);
  return parts.empty() ? "an op of unknown source" : llvm::join(parts, ", fused with ");
}

struct LoomCheckNumericsPass : loom::impl::LoomCheckNumericsBase<LoomCheckNumericsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    MLIRContext *ctx = module.getContext();
    auto ptr = LLVM::LLVMPointerType::get(ctx);
    OpBuilder b(ctx);
    // Constant globals, one per distinct value (sites and layouts repeat;
    // attributes are uniqued, so the value is the key).
    llvm::DenseMap<Attribute, LLVM::GlobalOp> globals;
    auto global = [&](Type type, Attribute value) {
      auto [it, fresh] = globals.try_emplace(value);
      if (fresh) {
        OpBuilder gb = OpBuilder::atBlockBegin(module.getBody());
        it->second = gb.create<LLVM::GlobalOp>(module.getLoc(), type, /*isConstant=*/true, LLVM::Linkage::Internal,
                                               llvm::formatv("loom_check_{0}", globals.size() - 1).str(), value);
      }
      return it->second;
    };

    for (func::FuncOp fn : llvm::to_vector(module.getOps<func::FuncOp>())) {
      if (fn.isExternal() || fn.isPrivate()) continue;
      SmallVector<linalg::LinalgOp> ops;
      // Not fills: a fill writes a constant, the start of what the next op
      // computes in place (a max reduction starts from -inf).
      fn.walk([&](linalg::LinalgOp op) {
        if (op.hasPureBufferSemantics() && !isa<linalg::FillOp>(op)) ops.push_back(op);
      });
      for (linalg::LinalgOp op : ops) {
        for (OpOperand &out : op.getDpsInitsMutable()) {
          auto type = dyn_cast<MemRefType>(out.get().getType());
          if (!type || !type.getElementType().isF32()) continue;
          std::optional<loom::Layout> layout = loom::layoutOf(out.get());
          if (!layout) {
            op->emitOpError("-loom-check-numerics: cannot check an output of dynamic shape or layout: ") << type;
            return signalPassFailure();
          }
          std::string site = describe(op->getLoc());
          SmallVector<int64_t> record{type.getRank()};
          llvm::append_range(record, layout->shape);
          llvm::append_range(record, layout->strides);
          auto text = global(LLVM::LLVMArrayType::get(b.getI8Type(), site.size() + 1), b.getStringAttr(site + '\0'));
          auto dims = global(LLVM::LLVMArrayType::get(b.getI64Type(), record.size()),
                             DenseElementsAttr::get(RankedTensorType::get({int64_t(record.size())}, b.getI64Type()),
                                                    ArrayRef<int64_t>(record)));
          Location loc = op->getLoc();
          b.setInsertionPointAfter(op);
          Value args[] = {loom::pointerTo(b, loc, out.get(), layout->offset),
                          b.create<LLVM::AddressOfOp>(loc, dims), b.create<LLVM::AddressOfOp>(loc, text)};
          b.create<func::CallOp>(loc, loom::runtimeEntry(module, kEntry, {ptr, ptr, ptr}), args);
        }
      }
    }
  }
};

} // namespace
