// -loom-cpu-ukernels: convolutions (marked `loom.conv` by -loom-to-linalg)
// and contractions (matmuls, however fusion has folded transposes and
// reshapes into their indexing maps) on buffers become calls of the runtime's
// micro-kernels (runtime/src/ukernels):
// a packed GEMM whose packing gathers the windows and whose writer scatters
// into the output, at 55-75% of a core's FMA peak where linalg's loops reach
// 5-17% (ResNet-18's convolutions).
#include "loom/Transforms/Passes.h"
#include "BufferViews.h"
#include "RuntimeCalls.h"
#include "loom/rt/ukernels.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
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

/// The zero fill of `out` that `op` directly follows (nothing between them but
/// ops without memory effects), if any: the convolution may then set `out`
/// instead of adding to it, and the fill goes (a whole pass over the output,
/// and the kernel's reads of it).
linalg::FillOp zeroFillBefore(Operation *op, Value out) {
  for (Operation *prev = op->getPrevNode(); prev; prev = prev->getPrevNode()) {
    if (auto fill = dyn_cast<linalg::FillOp>(prev))
      return fill.getOutputs()[0] == out && matchPattern(fill.getInputs()[0], m_AnyZeroFloat()) ? fill : nullptr;
    if (!isMemoryEffectFree(prev)) return nullptr;
  }
  return nullptr;
}

struct LoomCpuUkernelsPass : loom::impl::LoomCpuUkernelsBase<LoomCpuUkernelsPass> {
  using LoomCpuUkernelsBase::LoomCpuUkernelsBase;

  ModuleOp module;
  unsigned calls = 0, left = 0, overwrites = 0;

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
    // Only where a GEMM of these sizes pays: tiny channel counts run faster
    // as linalg's loops than as a GEMM. But the runtime takes a filter
    // gradient with few output channels (its dot products along the pixels,
    // filter_grad.hpp, beat the loops 4-8x: LeNet-5's and E4's) and a forward
    // convolution with up to 8 (few_outputs.hpp: E4's 1 -> 3 and 3 -> 3 7x7
    // 4x faster than the loops).
    int64_t Cg = C / groups, Og = O / groups, Q = Cg * KH * KW;
    const bool fewOutputs = k == 0 && Og <= 8 && Q >= 8;
    int64_t m = k == 3 ? Q : k == 1 || fewOutputs ? minChannels : Og, kdim = k == 0 ? Q : k == 1 ? N * OH * OW : Og;
    if (m < minChannels || kdim < minChannels) return (void)++left;
    // Output set, not added to, where a zero fill of it comes right before.
    if (linalg::FillOp fill = zeroFillBefore(op, out)) fill->erase(), k |= LOOM_RT_CONV_OVERWRITE, ++overwrites;
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

  /// A contraction's group of loop dimensions (its batch, m, n or k ones) as one dimension: its size and its
  /// stride in each operand that has it. Only where every such operand nests the group's dimensions in one
  /// order with strides that compose (a Linear layer's input gradient reads the flattened [O, C, H, W]
  /// weight of a convolution as [O, C H W]); dimensions of size 1 do not count.
  struct Group {
    int64_t size = 1;
    int64_t stride[3] = {0, 0, 0};
  };
  std::optional<Group> group(ArrayRef<unsigned> dims, ArrayRef<int64_t> ranges, ArrayRef<AffineMap> maps,
                             ArrayRef<Layout> layouts) {
    Group g;
    SmallVector<unsigned> live;
    for (unsigned d : dims)
      if (ranges[d] != 1) live.push_back(d), g.size *= ranges[d];
    if (live.empty()) return g;
    // The order of the first operand that has the group, outermost first.
    auto strideIn = [&](size_t o, unsigned d) -> std::optional<int64_t> {
      if (auto pos = maps[o].getResultPosition(getAffineDimExpr(d, maps[o].getContext()))) return layouts[o].strides[*pos];
      return std::nullopt;
    };
    size_t first = 0;
    while (!strideIn(first, live[0])) ++first;
    llvm::sort(live, [&](unsigned x, unsigned y) { return *strideIn(first, x) > *strideIn(first, y); });
    for (size_t o = 0; o < maps.size(); ++o) {
      if (!strideIn(o, live[0])) continue;
      for (size_t i = 0; i + 1 < live.size(); ++i)
        if (*strideIn(o, live[i]) != *strideIn(o, live[i + 1]) * ranges[live[i + 1]]) return std::nullopt;
      g.stride[o] = *strideIn(o, live.back());
    }
    return g;
  }

  /// Any contraction C[b, m, n] += A[b, m, k] B[b, k, n] on f32 buffers (a matmul, batched or not, either
  /// operand transposed or reshaped in its indexing map by fusion) as loom_rt_matmul_f32(a, b, c, batch M N K,
  /// a/b/c strides (batch, row, column; b's as k, n)).
  void matmul(OpBuilder &b, linalg::GenericOp op) {
    auto dims = linalg::inferContractionDims(cast<linalg::LinalgOp>(op.getOperation()));
    if (failed(dims) || dims->m.empty() || dims->n.empty() || dims->k.empty()) return (void)++left;
    SmallVector<AffineMap> maps = op.getIndexingMapsArray();
    SmallVector<Value> operands{op.getDpsInputOperand(0)->get(), op.getDpsInputOperand(1)->get(),
                                op.getDpsInitOperand(0)->get()};
    SmallVector<Layout> layouts;
    for (size_t o = 0; o < 3; ++o) {
      auto l = layoutOf(operands[o], maps[o].getNumResults());
      if (!l || !maps[o].isProjectedPermutation(/*allowZeroInResults=*/false)) return (void)++left;
      layouts.push_back(*l);
    }
    SmallVector<int64_t> ranges = op.getStaticLoopRanges();
    auto batch = group(dims->batch, ranges, maps, layouts), m = group(dims->m, ranges, maps, layouts);
    auto n = group(dims->n, ranges, maps, layouts), k = group(dims->k, ranges, maps, layouts);
    if (!batch || !m || !n || !k) return (void)++left;
    if (m->size < minChannels || n->size < minChannels || k->size < minChannels) return (void)++left;
    b.setInsertionPoint(op);
    Location loc = op.getLoc();
    SmallVector<Value> pointers;
    for (size_t o = 0; o < 3; ++o) pointers.push_back(pointerTo(b, loc, operands[o], layouts[o].offset));
    call(b, op, kMatmulEntry, pointers,
         {batch->size, m->size, n->size, k->size, batch->stride[0], m->stride[0], k->stride[0], batch->stride[1],
          k->stride[1], n->stride[1], batch->stride[2], m->stride[2], n->stride[2]});
  }

  void runOnOperation() override {
    module = getOperation();
    OpBuilder b(module.getContext());
    module.walk([&](linalg::GenericOp op) {
      if (!op.hasPureBufferSemantics()) return;
      auto conv = op->getAttrOfType<DictionaryAttr>("loom.conv");
      if (!conv && (op.getNumReductionLoops() == 0 || op.getNumDpsInputs() != 2 || op.getNumDpsInits() != 1)) return;
      if (!isMulAdd(op)) return (void)(conv && ++left);
      if (conv) convolution(b, op, conv);
      else matmul(b, op);
    });
    LLVM_DEBUG(llvm::dbgs() << "loom-cpu-ukernels: " << calls << " convolutions and matmuls to micro-kernels ("
                            << overwrites << " overwriting their outputs), " << left << " left as loops\n");
  }
};

} // namespace
