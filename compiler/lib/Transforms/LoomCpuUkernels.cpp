// -loom-cpu-ukernels: convolutions (marked `loom.conv` by -loom-to-linalg) on
// buffers become calls of the runtime's micro-kernels (runtime/src/ukernels):
// a packed GEMM whose packing gathers the windows and whose writer scatters
// into the output, at 55-75% of a core's FMA peak where linalg's loops reach
// 5-17% (ResNet-18's convolutions).
#include "loom/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/Interfaces/ViewLikeInterface.h"
#include "llvm/Support/Debug.h"

#define DEBUG_TYPE "loom-cpu-ukernels"

namespace loom {
#define GEN_PASS_DEF_LOOMCPUUKERNELS
#include "loom/Transforms/Passes.h.inc"
} // namespace loom

using namespace mlir;

namespace {

constexpr const char *kConvEntry = "loom_rt_conv2d_f32";

/// A static f32 memref's element offset and strides, or nothing.
struct Layout {
  int64_t offset;
  SmallVector<int64_t> strides;
  ArrayRef<int64_t> shape;
};
std::optional<Layout> layoutOf(Value v) {
  auto t = dyn_cast<MemRefType>(v.getType());
  if (!t || !t.getElementType().isF32() || t.getRank() != 4 || !t.hasStaticShape()) return std::nullopt;
  Layout l{0, {}, t.getShape()};
  if (failed(getStridesAndOffset(t, l.strides, l.offset)) || ShapedType::isDynamic(l.offset) ||
      llvm::any_of(l.strides, ShapedType::isDynamic))
    return std::nullopt;
  return l;
}

/// The body is exactly out + in0 * in1 (fusion adds anything else).
bool isMulAdd(linalg::GenericOp op) {
  Block &body = op.getRegion().front();
  if (body.getOperations().size() != 3) return false;
  auto mul = dyn_cast<arith::MulFOp>(body.front());
  auto add = dyn_cast<arith::AddFOp>(*std::next(body.begin()));
  auto yield = dyn_cast<linalg::YieldOp>(body.getTerminator());
  if (!mul || !add || !yield || yield.getOperand(0) != add.getResult()) return false;
  Value out = body.getArgument(op.getNumDpsInputs());
  bool operands = (mul.getLhs() == body.getArgument(0) && mul.getRhs() == body.getArgument(1)) ||
                  (mul.getLhs() == body.getArgument(1) && mul.getRhs() == body.getArgument(0));
  return operands && ((add.getLhs() == out && add.getRhs() == mul) || (add.getRhs() == out && add.getLhs() == mul));
}

struct LoomCpuUkernelsPass : loom::impl::LoomCpuUkernelsBase<LoomCpuUkernelsPass> {
  using LoomCpuUkernelsBase::LoomCpuUkernelsBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    MLIRContext *ctx = module.getContext();
    OpBuilder b(ctx);
    Type i64 = b.getI64Type(), ptr = LLVM::LLVMPointerType::get(ctx);
    func::FuncOp entry = module.lookupSymbol<func::FuncOp>(kConvEntry); // declared by an earlier run, if any
    unsigned calls = 0, left = 0;
    module.walk([&](linalg::GenericOp op) {
      auto conv = op->getAttrOfType<DictionaryAttr>("loom.conv");
      if (!conv || !op.hasPureBufferSemantics()) return;
      if (!isMulAdd(op)) return (void)++left;
      StringRef kind = cast<StringAttr>(conv.get("kind")).getValue();
      auto strides = cast<DenseI64ArrayAttr>(conv.get("strides")).asArrayRef();
      auto dilations = cast<DenseI64ArrayAttr>(conv.get("dilations")).asArrayRef();
      int64_t groups = cast<IntegerAttr>(conv.get("groups")).getInt();
      // Operands by role: x (input), w (filter), y (output of the forward conv).
      Value in0 = op.getDpsInputOperand(0)->get(), in1 = op.getDpsInputOperand(1)->get();
      Value out = op.getDpsInitOperand(0)->get();
      Value x, w, y;
      int64_t k;
      if (kind == "forward") x = in0, w = in1, y = out, k = 0;
      else if (kind == "filter_grad") x = in0, y = in1, w = out, k = 1;
      else if (kind == "input_grad") y = in0, w = in1, x = out, k = 2;
      else return (void)++left;
      auto lx = layoutOf(x), lw = layoutOf(w), ly = layoutOf(y);
      if (!lx || !lw || !ly) return (void)++left;
      int64_t N = lx->shape[0], C = lx->shape[1], H = lx->shape[2], W = lx->shape[3];
      int64_t O = lw->shape[0], KH = lw->shape[2], KW = lw->shape[3];
      int64_t OH = (H - dilations[0] * (KH - 1) - 1) / strides[0] + 1;
      int64_t OW = (W - dilations[1] * (KW - 1) - 1) / strides[1] + 1;
      if (kind == "input_grad") {
        // in0 is dy spread by the strides into zeros and padded by (K-1) d
        // (-loom-to-linalg's form): the micro-kernel reads dy's own elements
        // in it and never multiplies the zeros.
        ly->offset += (KH - 1) * dilations[0] * ly->strides[2] + (KW - 1) * dilations[1] * ly->strides[3];
        ly->strides[2] *= strides[0], ly->strides[3] *= strides[1];
      } else if (ly->shape[2] != OH || ly->shape[3] != OW) {
        return (void)++left;
      }
      // Only where a GEMM of these sizes pays: tiny channel counts (E4's 1->3
      // convolutions) run faster as linalg's loops.
      int64_t Cg = C / groups, Og = O / groups, Q = Cg * KH * KW;
      int64_t m = k == 2 ? Q : Og, kdim = k == 0 ? Q : k == 1 ? N * OH * OW : Og;
      if (m < minChannels || kdim < minChannels) return (void)++left;

      if (!entry) {
        SmallVector<Type> args{i64, ptr, ptr, ptr};
        args.append(26, i64);
        b.setInsertionPointToEnd(module.getBody());
        entry = b.create<func::FuncOp>(module.getLoc(), kConvEntry, b.getFunctionType(args, {}));
        entry.setPrivate();
      }
      b.setInsertionPoint(op);
      Location loc = op.getLoc();
      auto c = [&](int64_t v) -> Value { return b.create<arith::ConstantIntOp>(loc, v, 64); };
      // The aligned pointer of the buffer a view starts in, plus the view's
      // static offset. A buffer of the arena (-loom-plan-arena) is a
      // memref.view at a byte shift: expand-strided-metadata folds the
      // aligned pointer of any view to its source's, so the shift is added here.
      auto pointer = [&](Value m, int64_t offset) -> Value {
        Value base = m, shift;
        for (Operation *def = m.getDefiningOp(); def; def = base.getDefiningOp()) {
          if (auto view = dyn_cast<memref::ViewOp>(def)) {
            base = view.getSource(), shift = view.getByteShift();
            break;
          }
          if (auto viewLike = dyn_cast<ViewLikeOpInterface>(def)) base = viewLike.getViewSource();
          else break;
        }
        if (!shift) base = m;
        Value address = b.create<memref::ExtractAlignedPointerAsIndexOp>(loc, base);
        Value p = b.create<LLVM::IntToPtrOp>(loc, ptr, b.create<arith::IndexCastOp>(loc, i64, address));
        if (shift)
          p = b.create<LLVM::GEPOp>(loc, ptr, b.getI8Type(), p,
                                    ValueRange{b.create<arith::IndexCastOp>(loc, i64, shift)});
        return b.create<LLVM::GEPOp>(loc, ptr, b.getF32Type(), p, ArrayRef<LLVM::GEPArg>{LLVM::GEPArg(offset)});
      };
      SmallVector<Value> args{c(k), pointer(x, lx->offset), pointer(w, lw->offset), pointer(y, ly->offset)};
      for (int64_t v : {N, C, H, W, O, KH, KW, OH, OW, strides[0], strides[1], dilations[0], dilations[1], groups})
        args.push_back(c(v));
      for (const Layout *l : {&*lx, &*lw, &*ly})
        for (int64_t s : l->strides) args.push_back(c(s));
      b.create<func::CallOp>(loc, entry, args);
      op->erase();
      ++calls;
    });
    LLVM_DEBUG(llvm::dbgs() << "loom-cpu-ukernels: " << calls << " convolutions to micro-kernels, " << left
                            << " left as loops\n");
    (void)calls, (void)left;
  }
};

} // namespace
