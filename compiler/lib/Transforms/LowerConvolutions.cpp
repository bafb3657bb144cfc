// -loom-to-linalg: loom.conv2d, its filter gradient and its input gradient, each one
// contraction (linalg.generic) marked `loom.conv` for the CPU's micro-kernels.
#include "LoomToLinalg.h"

using namespace mlir;
using namespace loom;
using namespace loom::lowering;

namespace {

/// out[...] += a[...] * b[...] over the reduction dims: every convolution and its gradients.
Value contraction(OpBuilder &b, Location loc, RankedTensorType out, ValueRange ins, ArrayRef<AffineMap> maps,
                  unsigned parallelDims, ArrayRef<unsigned> moreParallel = {}) {
  Value init = filled(b, loc, out, b.getZeroAttr(out.getElementType()));
  unsigned dims = maps.front().getNumDims();
  SmallVector<utils::IteratorType> its(dims, utils::IteratorType::reduction);
  for (unsigned d = 0; d < parallelDims; ++d) its[d] = utils::IteratorType::parallel;
  for (unsigned d : moreParallel) its[d] = utils::IteratorType::parallel;
  return buildGeneric(b, loc, out, ins, maps.drop_back(),
                      [](OpBuilder &nb, Location l, ValueRange a) -> Value {
                        return nb.create<arith::AddFOp>(l, a.back(), nb.create<arith::MulFOp>(l, a[0], a[1]));
                      },
                      init, maps.back(), its);
}

/// The H and W border (top, left, bottom, right) of a zero loom.pad or
/// loom.unpad of a 4-D tensor; none for another op or a reflection.
template <typename PadLike> SmallVector<int64_t> zeroPadBorder(PadLike op) {
  if (!op || op.getMode() != PadMode::zeros || op.getLow().size() != 4) return {};
  return {op.getLow()[2], op.getLow()[3], op.getHigh()[2], op.getHigh()[3]};
}
/// The border of a convolution's x that a zero loom.pad made, so known zero
/// (the forward and the filter gradient read it); none unless x is such a pad.
SmallVector<int64_t> zeroBorder(Value x) { return zeroPadBorder(x.getDefiningOp<PadOp>()); }
/// The border of an input gradient's dx that nobody reads: where every use
/// is the same zero loom.unpad (the padding's gradient), which drops it.
SmallVector<int64_t> deadBorder(Value dx) {
  SmallVector<int64_t> border;
  for (Operation *user : dx.getUsers()) {
    SmallVector<int64_t> b = zeroPadBorder(dyn_cast<UnpadOp>(user));
    if (b.empty() || (!border.empty() && b != border)) return {};
    border = b;
  }
  return border;
}

/// Marks a convolution's contraction with what it computes (`loom.conv`:
/// kind, strides, dilations, groups, and where known x's border that is zero
/// or not needed), so a target can recognise it after bufferization without
/// reverse-engineering indexing maps (the CPU calls its micro-kernels:
/// -loom-cpu-ukernels). Elementwise fusion drops the mark whenever it changes
/// the op, and the op then stays loops.
template <typename Op> Value markConv(Value conv, Op op, StringRef kind, ArrayRef<int64_t> border) {
  Builder b(op.getContext());
  SmallVector<NamedAttribute> attrs{b.getNamedAttr("kind", b.getStringAttr(kind)),
                                    b.getNamedAttr("strides", b.getDenseI64ArrayAttr(op.getStrides())),
                                    b.getNamedAttr("dilations", b.getDenseI64ArrayAttr(op.getDilations())),
                                    b.getNamedAttr("groups", b.getI64IntegerAttr(op.getGroups()))};
  if (!border.empty()) attrs.push_back(b.getNamedAttr("border", b.getDenseI64ArrayAttr(border)));
  conv.getDefiningOp()->setAttr("loom.conv", b.getDictionaryAttr(attrs));
  return conv;
}

/// Dimensions and attributes of one convolution, with affine helpers.
struct ConvGeometry {
  int64_t N, C, H, W, O, KH, KW, s0, s1, d0, d1, groups, Cg, Og;
  MLIRContext *ctx;
  template <typename Op> ConvGeometry(Op op, Value x, Value w) : ctx(op.getContext()) {
    auto xs = tensorType(x).getShape(), ws = tensorType(w).getShape();
    N = xs[0], C = xs[1], H = xs[2], W = xs[3], O = ws[0], KH = ws[2], KW = ws[3];
    s0 = op.getStrides()[0], s1 = op.getStrides()[1], d0 = op.getDilations()[0], d1 = op.getDilations()[1];
    groups = op.getGroups(), Cg = C / groups, Og = O / groups;
  }
  AffineExpr dim(unsigned i) const { return getAffineDimExpr(i, ctx); }
  AffineMap map(ArrayRef<AffineExpr> e) const { return AffineMap::get(7, 0, e, ctx); }
};

/// conv2d and its filter gradient are one contraction with different loops:
///   conv2d:      y[n, o, i, j]    = sum_{c, kh, kw} x[n, g(o) Cg + c, i s0 + kh d0, j s1 + kw d1] w[o, c, kh, kw]
///                loops (n, o, i | c, kh, kw | j)
///   filter grad: dw[o, c, kh, kw] = sum_{n, i, j}   x[n, g(o) Cg + c, i s0 + kh d0, j s1 + kw d1] dy[n, o, i, j]
///                loops (o, c, kh | n, i, j | kw)
/// A parallel dimension innermost keeps independent sums (a row of outputs)
/// instead of one serial chain of multiply-adds per output; LLVM unrolls the
/// row and its SLP vectorizer packs it, since the output (an aligned_alloc'ed
/// buffer) cannot alias the inputs. (E1 i's ConvNet step 712 -> 940 images/s
/// from the order, -> 1,745 with SLP on.)
template <typename OpTy>
LogicalResult lowerContraction(OpTy op, typename OpTy::Adaptor adaptor, ConversionPatternRewriter &rw) {
  constexpr bool kForward = std::is_same_v<OpTy, Conv2dOp>;
  ConvGeometry g(op, op.getLhs(), kForward ? op.getRhs() : op.getResult());
  // Name the loop dimensions by role; the two ops order them differently.
  unsigned n = 0, o = 1, i = 2, c = 3, kh = 4, kw = 5, j = 6;
  if (!kForward) o = 0, c = 1, kh = 2, n = 3, i = 4, j = 5, kw = 6;
  auto d = [&](unsigned k) { return g.dim(k); };
  AffineExpr channel = g.groups == 1 ? d(c) : d(o).floorDiv(g.Og) * g.Cg + d(c);
  AffineMap input = g.map({d(n), channel, d(i) * g.s0 + d(kh) * g.d0, d(j) * g.s1 + d(kw) * g.d1});
  AffineMap filter = g.map({d(o), d(c), d(kh), d(kw)}), output = g.map({d(n), d(o), d(i), d(j)});
  SmallVector<AffineMap> maps = kForward ? SmallVector<AffineMap>{input, filter, output}
                                         : SmallVector<AffineMap>{input, output, filter};
  rw.replaceOp(op, markConv(contraction(rw, op.getLoc(), tensorType(op.getResult()),
                                        ValueRange{adaptor.getLhs(), adaptor.getRhs()}, maps, 3,
                                        ArrayRef<unsigned>{kForward ? j : kw}),
                            op, kForward ? "forward" : "filter_grad", zeroBorder(op.getLhs())));
  return success();
}

} // namespace

LogicalResult loom::lowering::lower(Conv2dOp op, Conv2dOp::Adaptor adaptor, ConversionPatternRewriter &rw) {
  return lowerContraction(op, adaptor, rw);
}
LogicalResult loom::lowering::lower(Conv2dFilterGradOp op, Conv2dFilterGradOp::Adaptor adaptor,
                                    ConversionPatternRewriter &rw) {
  return lowerContraction(op, adaptor, rw);
}

/// dx[n, ci, p, q] = sum_{oo, kh, kw} dyP[n, g(ci) Og + oo, p + (KH-1-kh) d0, q + (KW-1-kw) d1]
///                                    w[g(ci) Og + oo, ci mod Cg, kh, kw]
/// where dyP is dy spread out by the strides and padded by (K-1) d: every
/// (output, tap) pair that reads x[p, q] lands at one place. Loops (n, ci, p | oo, kh, kw | q).
LogicalResult loom::lowering::lower(Conv2dInputGradOp op, Conv2dInputGradOp::Adaptor adaptor,
                                    ConversionPatternRewriter &rw) {
  ConvGeometry g(op, op.getResult(), op.getRhs());
  Location loc = op.getLoc();
  auto dyType = tensorType(op.getLhs());
  auto et = dyType.getElementType();
  // dyP: zeros of [N, O, H + (KH-1) d0, W + (KW-1) d1] with dy at ((KH-1) d0, (KW-1) d1), strides (s0, s1).
  auto padType = RankedTensorType::get({g.N, g.O, g.H + (g.KH - 1) * g.d0, g.W + (g.KW - 1) * g.d1}, et);
  Value dyP = rw.create<tensor::InsertSliceOp>(
      loc, adaptor.getLhs(), filled(rw, loc, padType, rw.getZeroAttr(et)), ValueRange{}, ValueRange{}, ValueRange{},
      SmallVector<int64_t>{0, 0, (g.KH - 1) * g.d0, (g.KW - 1) * g.d1}, dyType.getShape(),
      SmallVector<int64_t>{1, 1, g.s0, g.s1});
  auto n = g.dim(0), ci = g.dim(1), p = g.dim(2), oo = g.dim(3), kh = g.dim(4), kw = g.dim(5), q = g.dim(6);
  AffineExpr out = g.groups == 1 ? oo : ci.floorDiv(g.Cg) * g.Og + oo;
  AffineExpr cin = g.groups == 1 ? ci : ci % g.Cg;
  SmallVector<Value> ins = {dyP, adaptor.getRhs()};
  SmallVector<AffineMap> maps = {g.map({n, out, p + (g.KH - 1 - kh) * g.d0, q + (g.KW - 1 - kw) * g.d1}),
                                 g.map({out, cin, kh, kw})};
  if (g.groups > 1) {
    // oo appears in no map by itself: an unused operand of shape [Og] gives linalg its range.
    ins.push_back(rw.create<tensor::EmptyOp>(loc, ArrayRef<int64_t>{g.Og}, et));
    maps.push_back(g.map({oo}));
  }
  maps.push_back(g.map({n, ci, p, q}));
  rw.replaceOp(op, markConv(contraction(rw, loc, tensorType(op.getResult()), ins, maps, 3, ArrayRef<unsigned>{6}),
                            op, "input_grad", deadBorder(op.getResult())));
  return success();
}

