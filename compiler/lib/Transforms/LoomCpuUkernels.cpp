// -loom-cpu-ukernels: convolutions and matmuls (marked `loom.conv` and
// `loom.matmul` by -loom-to-linalg) on buffers become calls of the runtime's
// micro-kernels (runtime/src/ukernels):
// a packed GEMM whose packing gathers the windows and whose writer scatters
// into the output, at 55-75% of a core's FMA peak where linalg's loops reach
// 5-17% (ResNet-18's convolutions).
#include "loom/Transforms/Passes.h"
#include "BufferViews.h"
#include "RuntimeCalls.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/BuiltinTypes.h"
#include "llvm/Support/Debug.h"

#define DEBUG_TYPE "loom-cpu-ukernels"

namespace loom {
#define GEN_PASS_DEF_LOOMCPUUKERNELS
#include "loom/Transforms/Passes.h.inc"
} // namespace loom

using namespace mlir;
using loom::Layout;
using loom::layoutOf;
using loom::pointerTo;

namespace {

constexpr const char *kConvEntry = "loom_rt_conv2d_f32", *kMatmulEntry = "loom_rt_matmul_f32";

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

  ModuleOp module;
  unsigned calls = 0, left = 0;

  /// A call of the runtime's `name` (declared once): pointers, then i64s.
  void call(OpBuilder &b, linalg::GenericOp op, StringRef name, ArrayRef<Value> pointers, ArrayRef<int64_t> ints) {
    SmallVector<Value> args(pointers);
    for (int64_t v : ints) args.push_back(b.create<arith::ConstantIntOp>(op.getLoc(), v, 64));
    b.create<func::CallOp>(op.getLoc(), loom::runtimeEntry(module, name, ValueRange(args).getTypes()), args);
    op->erase();
    ++calls;
  }

  /// loom_rt_conv2d_f32(kind, x, w, y, N C H W O KH KW OH OW, strides, dilations, groups, x/w/y strides,
  /// x's border: top, left, bottom, right).
  void convolution(OpBuilder &b, linalg::GenericOp op, DictionaryAttr conv) {
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
    else if (kind == "input_grad") y = in0, w = in1, x = out, k = 3; // the runtime's input_grad_padded
    else return (void)++left;
    auto lx = layoutOf(x, 4), lw = layoutOf(w, 4), ly = layoutOf(y, 4);
    if (!lx || !lw || !ly) return (void)++left;
    int64_t N = lx->shape[0], C = lx->shape[1], H = lx->shape[2], W = lx->shape[3];
    int64_t O = lw->shape[0], KH = lw->shape[2], KW = lw->shape[3];
    int64_t OH = (H - dilations[0] * (KH - 1) - 1) / strides[0] + 1;
    int64_t OW = (W - dilations[1] * (KW - 1) - 1) / strides[1] + 1;
    // For input_grad in0 is dyP, dy spread by the strides into zeros and
    // padded by (K-1) d (-loom-to-linalg's form), passed as it is: at unit
    // strides the runtime runs a forward GEMM over it (a reduction of O KH KW,
    // not col2im's O), else col2im over dy's own elements in it.
    int64_t YH = k == 3 ? H + (KH - 1) * dilations[0] : OH, YW = k == 3 ? W + (KW - 1) * dilations[1] : OW;
    if (ly->shape[2] != YH || ly->shape[3] != YW) return (void)++left;
    // Only where a GEMM of these sizes pays: tiny channel counts (E4's 1->3
    // convolutions) run faster as linalg's loops.
    int64_t Cg = C / groups, Og = O / groups, Q = Cg * KH * KW;
    int64_t m = k == 3 ? Q : Og, kdim = k == 0 ? Q : k == 1 ? N * OH * OW : Og;
    if (m < minChannels || kdim < minChannels) return (void)++left;
    b.setInsertionPoint(op);
    Location loc = op.getLoc();
    SmallVector<int64_t> ints{N, C, H, W, O, KH, KW, OH, OW, strides[0], strides[1], dilations[0], dilations[1], groups};
    for (const Layout *l : {&*lx, &*lw, &*ly}) ints.append(l->strides.begin(), l->strides.end());
    // x's border that is zero (a zero padding) or not needed (its gradient): 0s where unknown.
    if (auto border = conv.getAs<DenseI64ArrayAttr>("border"); border && border.size() == 4)
      ints.append(border.asArrayRef().begin(), border.asArrayRef().end());
    else
      ints.append(4, 0);
    Value kindValue = b.create<arith::ConstantIntOp>(loc, k, 64);
    call(b, op, kConvEntry,
         {kindValue, pointerTo(b, loc, x, lx->offset), pointerTo(b, loc, w, lw->offset), pointerTo(b, loc, y, ly->offset)},
         ints);
  }

  /// loom_rt_matmul_f32(a, b, c, batch M N K, a/b/c strides (batch, row, column; b's as k, n)).
  void matmul(OpBuilder &b, linalg::GenericOp op, DictionaryAttr mm) {
    bool transposedB = cast<BoolAttr>(mm.get("transposed_b")).getValue();
    Value a = op.getDpsInputOperand(0)->get(), bm = op.getDpsInputOperand(1)->get(), c = op.getDpsInitOperand(0)->get();
    int64_t rank = cast<MemRefType>(c.getType()).getRank();
    auto la = layoutOf(a, rank), lb = layoutOf(bm, rank), lc = layoutOf(c, rank);
    if (!la || !lb || !lc || (rank != 2 && rank != 3)) return (void)++left;
    // Without a batch dimension, batch 1 and stride 0.
    auto three = [&](const Layout &l) {
      SmallVector<int64_t> s(l.strides);
      if (rank == 2) s.insert(s.begin(), 0);
      return s;
    };
    SmallVector<int64_t> sa = three(*la), sb = three(*lb), sc = three(*lc);
    if (transposedB) std::swap(sb[1], sb[2]); // B as [N, K]: address (k, n) by k * s[2] + n * s[1]
    int64_t batch = rank == 3 ? lc->shape[0] : 1, M = lc->shape[rank - 2], N = lc->shape[rank - 1];
    int64_t K = la->shape[rank - 1];
    if (M < minChannels || N < minChannels || K < minChannels) return (void)++left;
    b.setInsertionPoint(op);
    Location loc = op.getLoc();
    call(b, op, kMatmulEntry,
         {pointerTo(b, loc, a, la->offset), pointerTo(b, loc, bm, lb->offset), pointerTo(b, loc, c, lc->offset)},
         {batch, M, N, K, sa[0], sa[1], sa[2], sb[0], sb[1], sb[2], sc[0], sc[1], sc[2]});
  }

  void runOnOperation() override {
    module = getOperation();
    OpBuilder b(module.getContext());
    module.walk([&](linalg::GenericOp op) {
      if (!op.hasPureBufferSemantics()) return;
      auto conv = op->getAttrOfType<DictionaryAttr>("loom.conv");
      auto mm = op->getAttrOfType<DictionaryAttr>("loom.matmul");
      if (!conv && !mm) return;
      if (!isMulAdd(op)) return (void)++left;
      if (conv) convolution(b, op, conv);
      else matmul(b, op, mm);
    });
    LLVM_DEBUG(llvm::dbgs() << "loom-cpu-ukernels: " << calls << " convolutions and matmuls to micro-kernels, "
                            << left << " left as loops\n");
  }
};

} // namespace
