// -loom-to-linalg: every `loom` op becomes linalg/tensor/arith on tensors.
//
// Elementwise ops, broadcasts and transposes all become linalg.generic through
// one helper (buildGeneric), so that -linalg-fuse-elementwise-ops can merge a
// whole chain (bias add + relu, broadcast + mul, ...) into one loop nest.
// Here: the elementwise table, shapes, matmul, reductions; padding,
// convolutions and random numbers are lowered in files of their own
// (LowerPadding.cpp, LowerConvolutions.cpp, LowerRandom.cpp). Which pattern
// lowers which op is LoomOps.td's `lowering` field; loom-tblgen writes the
// registration (LoomLowerings.inc), so an op without a lowering fails the build.
#include "LoomToLinalg.h"
#include "loom/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/AffineMap.h"
#include "mlir/Transforms/DialectConversion.h"

namespace loom {
#define GEN_PASS_DEF_LOOMTOLINALG
#include "loom/Transforms/Passes.h.inc"
} // namespace loom

using namespace mlir;
using namespace loom;
using namespace loom::lowering;

// ---- what the lowerings share (LoomToLinalg.h) ----------------------------------------------
Value loom::lowering::buildGeneric(OpBuilder &b, Location loc, RankedTensorType resultType, ValueRange inputs,
                                   ArrayRef<AffineMap> inputMaps, BodyFn body, Value init, AffineMap outMap,
                                   ArrayRef<utils::IteratorType> iterators) {
  unsigned rank = inputMaps.empty() ? resultType.getRank() : inputMaps.front().getNumDims();
  if (!init) init = b.create<tensor::EmptyOp>(loc, resultType.getShape(), resultType.getElementType());
  SmallVector<AffineMap> maps(inputMaps);
  maps.push_back(outMap ? outMap : b.getMultiDimIdentityMap(rank));
  SmallVector<utils::IteratorType> its(iterators);
  if (its.empty()) its.assign(rank, utils::IteratorType::parallel);
  auto generic = b.create<linalg::GenericOp>(
      loc, TypeRange{resultType}, inputs, ValueRange{init}, maps, its,
      [&](OpBuilder &nb, Location nl, ValueRange args) {
        nb.create<linalg::YieldOp>(nl, body(nb, nl, args));
      });
  return generic.getResult(0);
}

Value loom::lowering::zeroOf(OpBuilder &b, Location loc, Type t) {
  return b.create<arith::ConstantOp>(loc, b.getZeroAttr(t));
}

Value loom::lowering::filled(OpBuilder &b, Location loc, RankedTensorType type, TypedAttr value) {
  Value empty = b.create<tensor::EmptyOp>(loc, type.getShape(), type.getElementType());
  Value cst = b.create<arith::ConstantOp>(loc, value);
  return b.create<linalg::FillOp>(loc, cst, empty).getResult(0);
}

namespace {

bool isFloat(Type t) { return isa<FloatType>(getElementTypeOrSelf(t)); }

/// arith's predicates for a loom.compare: ordered for floats, except ne (true
/// when either side is NaN), as in C++ and PyTorch; signed for integers.
std::pair<arith::CmpFPredicate, arith::CmpIPredicate> arithPredicates(ComparePredicate pred) {
  using F = arith::CmpFPredicate;
  using I = arith::CmpIPredicate;
  switch (pred) {
  case ComparePredicate::eq: return {F::OEQ, I::eq};
  case ComparePredicate::ne: return {F::UNE, I::ne};
  case ComparePredicate::lt: return {F::OLT, I::slt};
  case ComparePredicate::le: return {F::OLE, I::sle};
  case ComparePredicate::gt: return {F::OGT, I::sgt};
  case ComparePredicate::ge: return {F::OGE, I::sge};
  }
  llvm_unreachable("loom.compare: a predicate the verifier lets through");
}

Value compareScalar(OpBuilder &b, Location loc, ComparePredicate pred, Value x, Value y) {
  auto [fp, ip] = arithPredicates(pred);
  if (isFloat(x.getType())) return b.create<arith::CmpFOp>(loc, fp, x, y);
  return b.create<arith::CmpIOp>(loc, ip, x, y);
}

/// f32 <-> i1/i32/i64 conversions (i1 is unsigned: true is 1).
Value castScalar(OpBuilder &b, Location loc, Value x, Type to) {
  Type from = x.getType();
  if (from == to) return x;
  bool fromBool = from.isInteger(1);
  if (isa<FloatType>(to)) {
    if (fromBool) return b.create<arith::UIToFPOp>(loc, to, x);
    return b.create<arith::SIToFPOp>(loc, to, x);
  }
  if (isa<FloatType>(from)) return b.create<arith::FPToSIOp>(loc, to, x);
  if (from.getIntOrFloatBitWidth() > to.getIntOrFloatBitWidth()) return b.create<arith::TruncIOp>(loc, to, x);
  if (fromBool) return b.create<arith::ExtUIOp>(loc, to, x);
  return b.create<arith::ExtSIOp>(loc, to, x);
}

/// The scalar computation of each elementwise op, on float or integer elements.
template <typename OpTy> struct Scalar;
#define LOOM_SCALAR(OP, EXPR)                                                                  \
  template <> struct Scalar<OP> {                                                              \
    static Value build(OP op, OpBuilder &b, Location loc, ValueRange a) {                      \
      Type t = a[0].getType();                                                                 \
      (void)t, (void)op;                                                                       \
      return EXPR;                                                                             \
    }                                                                                          \
  };
LOOM_SCALAR(NegOp, isFloat(t) ? (Value)b.create<arith::NegFOp>(loc, a[0])
                              : (Value)b.create<arith::SubIOp>(loc, zeroOf(b, loc, t), a[0]))
LOOM_SCALAR(ExpOp, b.create<math::ExpOp>(loc, a[0]))
LOOM_SCALAR(LogOp, b.create<math::LogOp>(loc, a[0]))
LOOM_SCALAR(SqrtOp, b.create<math::SqrtOp>(loc, a[0]))
LOOM_SCALAR(TanhOp, b.create<math::TanhOp>(loc, a[0]))
// relu(NaN) = NaN as in PyTorch: maximumf propagates NaN.
LOOM_SCALAR(ReluOp, b.create<arith::MaximumFOp>(loc, a[0], zeroOf(b, loc, t)))
LOOM_SCALAR(SigmoidOp, b.create<arith::DivFOp>(
                           loc, b.create<arith::ConstantOp>(loc, b.getFloatAttr(t, 1.0)),
                           b.create<arith::AddFOp>(
                               loc, b.create<arith::ConstantOp>(loc, b.getFloatAttr(t, 1.0)),
                               b.create<math::ExpOp>(loc, b.create<arith::NegFOp>(loc, a[0])))))
LOOM_SCALAR(SelectOp, b.create<arith::SelectOp>(loc, a[0], a[1], a[2]))
LOOM_SCALAR(CompareOp, compareScalar(b, loc, op.getPredicate(), a[0], a[1]))
LOOM_SCALAR(CastOp, castScalar(b, loc, a[0], getElementTypeOrSelf(op.getResult().getType())))
#define LOOM_SCALAR_FI(OP, F, I)                                                               \
  LOOM_SCALAR(OP, isFloat(t) ? (Value)b.create<arith::F>(loc, a[0], a[1])                      \
                             : (Value)b.create<arith::I>(loc, a[0], a[1]))
LOOM_SCALAR_FI(AddOp, AddFOp, AddIOp)
LOOM_SCALAR_FI(SubOp, SubFOp, SubIOp)
LOOM_SCALAR_FI(MulOp, MulFOp, MulIOp)
LOOM_SCALAR_FI(DivOp, DivFOp, DivSIOp)
LOOM_SCALAR_FI(MaximumOp, MaximumFOp, MaxSIOp)
LOOM_SCALAR_FI(MinimumOp, MinimumFOp, MinSIOp)
#undef LOOM_SCALAR_FI
#undef LOOM_SCALAR

template <typename OpTy> struct ElementwiseLowering : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;
  LogicalResult matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                                ConversionPatternRewriter &rw) const override {
    auto type = tensorType(op->getResult(0));
    SmallVector<AffineMap> maps(op->getNumOperands(), rw.getMultiDimIdentityMap(type.getRank()));
    rw.replaceOp(op, buildGeneric(rw, op.getLoc(), type, adaptor.getOperands(), maps,
                                  [&](OpBuilder &b, Location l, ValueRange a) {
                                    return Scalar<OpTy>::build(op, b, l, a.take_front(a.size() - 1));
                                  }));
    return success();
  }
};

/// reduce_sum / reduce_mean / reduce_max: one reduction generic (mean divides after).
template <typename OpTy> struct ReduceLowering : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;
  LogicalResult matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                                ConversionPatternRewriter &rw) const override {
    auto in = tensorType(op.getInput()), out = tensorType(op.getResult());
    Type et = out.getElementType();
    Location loc = op.getLoc();
    constexpr bool isMax = std::is_same_v<OpTy, ReduceMaxOp>;
    TypedAttr initValue = rw.getZeroAttr(et);
    if constexpr (isMax) {
      if (auto ft = dyn_cast<FloatType>(et))
        initValue = rw.getFloatAttr(et, APFloat::getInf(ft.getFloatSemantics(), /*Negative=*/true));
      else
        initValue = rw.getIntegerAttr(et, APInt::getSignedMinValue(et.getIntOrFloatBitWidth()));
    }
    SmallVector<AffineExpr> kept;
    SmallVector<utils::IteratorType> its;
    for (int64_t d = 0; d < in.getRank(); ++d) {
      bool reduced = llvm::is_contained(op.getAxes(), d);
      its.push_back(reduced ? utils::IteratorType::reduction : utils::IteratorType::parallel);
      if (!reduced) kept.push_back(rw.getAffineDimExpr(d));
    }
    auto outMap = AffineMap::get(in.getRank(), 0, kept, rw.getContext());
    Value r = buildGeneric(
        rw, loc, out, adaptor.getInput(), rw.getMultiDimIdentityMap(in.getRank()),
        [&](OpBuilder &b, Location l, ValueRange a) -> Value {
          if constexpr (isMax)
            return isFloat(et) ? (Value)b.create<arith::MaximumFOp>(l, a[0], a[1])
                               : (Value)b.create<arith::MaxSIOp>(l, a[0], a[1]);
          return isFloat(et) ? (Value)b.create<arith::AddFOp>(l, a[0], a[1])
                             : (Value)b.create<arith::AddIOp>(l, a[0], a[1]);
        },
        filled(rw, loc, out, initValue), outMap, its);
    if constexpr (std::is_same_v<OpTy, ReduceMeanOp>) {
      int64_t count = in.getNumElements() / std::max<int64_t>(out.getNumElements(), 1);
      TypedAttr n = isFloat(et) ? (TypedAttr)rw.getFloatAttr(et, count) : rw.getIntegerAttr(et, count);
      r = buildGeneric(rw, loc, out, r, rw.getMultiDimIdentityMap(out.getRank()),
                       [&](OpBuilder &b, Location l, ValueRange a) -> Value {
                         Value c = b.create<arith::ConstantOp>(l, n);
                         return isFloat(et) ? (Value)b.create<arith::DivFOp>(l, a[0], c)
                                            : (Value)b.create<arith::DivSIOp>(l, a[0], c);
                       });
    }
    rw.replaceOp(op, r);
    return success();
  }
};

/// The pattern of every op whose `lowering` is "Lower": its function `lower`
/// (declared in LoomToLinalg.h from LoomOps.td, defined here or in Lower*.cpp).
template <typename OpTy> struct Lower : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;
  LogicalResult matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                                ConversionPatternRewriter &rw) const override {
    return loom::lowering::lower(op, adaptor, rw);
  }
};

} // namespace

LogicalResult loom::lowering::lower(ConstantOp op, ConstantOp::Adaptor, ConversionPatternRewriter &rw) {
  rw.replaceOpWithNewOp<arith::ConstantOp>(op, cast<TypedAttr>(op.getValue()));
  return success();
}

/// Unit dimensions of the input are collapsed away, so the generic reads it
/// through a projected permutation (the form elementwise fusion accepts).
LogicalResult loom::lowering::lower(BroadcastToOp op, BroadcastToOp::Adaptor adaptor, ConversionPatternRewriter &rw) {
  auto in = tensorType(op.getInput()), out = tensorType(op.getResult());
  Location loc = op.getLoc();
  int64_t lead = out.getRank() - in.getRank();
  SmallVector<int64_t> keptShape;
  SmallVector<AffineExpr> exprs;
  SmallVector<ReassociationIndices> groups;
  ReassociationIndices pending;
  for (int64_t d = 0; d < in.getRank(); ++d) {
    pending.push_back(d);
    if (in.getDimSize(d) == 1) continue;
    keptShape.push_back(in.getDimSize(d));
    exprs.push_back(rw.getAffineDimExpr(lead + d));
    groups.push_back(pending);
    pending.clear();
  }
  if (!pending.empty() && !groups.empty()) groups.back().append(pending.begin(), pending.end());
  Value src = adaptor.getInput();
  if (static_cast<int64_t>(keptShape.size()) != in.getRank())
    src = rw.create<tensor::CollapseShapeOp>(
        loc, RankedTensorType::get(keptShape, in.getElementType()), src, groups);
  auto map = AffineMap::get(out.getRank(), 0, exprs, rw.getContext());
  rw.replaceOp(op, buildGeneric(rw, loc, out, src, map,
                                [](OpBuilder &, Location, ValueRange a) { return a[0]; }));
  return success();
}

LogicalResult loom::lowering::lower(TransposeOp op, TransposeOp::Adaptor adaptor, ConversionPatternRewriter &rw) {
  auto perm = op.getPermutation();
  // Result dim i reads input dim perm[i]: input dim p is indexed by result dim inv[p].
  SmallVector<AffineExpr> exprs(perm.size());
  for (size_t i = 0; i < perm.size(); ++i) exprs[perm[i]] = rw.getAffineDimExpr(i);
  auto map = AffineMap::get(perm.size(), 0, exprs, rw.getContext());
  rw.replaceOp(op, buildGeneric(rw, op.getLoc(), tensorType(op.getResult()), adaptor.getInput(),
                                map, [](OpBuilder &, Location, ValueRange a) { return a[0]; }));
  return success();
}

/// Any static reshape: through a 1-D tensor (collapse then expand); both are
/// views after bufferization.
static SmallVector<ReassociationIndices> allInOne(int64_t rank) {
  if (rank == 0) return {};
  ReassociationIndices all;
  for (int64_t i = 0; i < rank; ++i) all.push_back(i);
  return {all};
}
LogicalResult loom::lowering::lower(ReshapeOp op, ReshapeOp::Adaptor adaptor, ConversionPatternRewriter &rw) {
  auto in = tensorType(op.getInput()), out = tensorType(op.getResult());
  Location loc = op.getLoc();
  if (in == out) return rw.replaceOp(op, adaptor.getInput()), success();
  auto flat = RankedTensorType::get({in.getNumElements()}, in.getElementType());
  Value v = adaptor.getInput();
  if (in.getRank() == 0) v = rw.create<tensor::ExpandShapeOp>(loc, flat, v, allInOne(0));
  else if (in.getRank() != 1) v = rw.create<tensor::CollapseShapeOp>(loc, flat, v, allInOne(in.getRank()));
  if (out.getRank() == 0) v = rw.create<tensor::CollapseShapeOp>(loc, out, v, allInOne(0));
  else if (out.getRank() != 1) v = rw.create<tensor::ExpandShapeOp>(loc, out, v, allInOne(out.getRank()));
  rw.replaceOp(op, v);
  return success();
}

LogicalResult loom::lowering::lower(SliceOp op, SliceOp::Adaptor adaptor, ConversionPatternRewriter &rw) {
  auto out = tensorType(op.getResult());
  rw.replaceOpWithNewOp<tensor::ExtractSliceOp>(op, out, adaptor.getInput(), ValueRange{},
                                                ValueRange{}, ValueRange{}, op.getStarts(),
                                                out.getShape(), op.getStrides());
  return success();
}

LogicalResult loom::lowering::lower(ConcatOp op, ConcatOp::Adaptor adaptor, ConversionPatternRewriter &rw) {
  auto out = tensorType(op.getResult());
  Location loc = op.getLoc();
  Value acc = rw.create<tensor::EmptyOp>(loc, out.getShape(), out.getElementType());
  SmallVector<int64_t> offsets(out.getRank(), 0), strides(out.getRank(), 1);
  for (Value in : adaptor.getInputs()) {
    auto shape = tensorType(in).getShape();
    acc = rw.create<tensor::InsertSliceOp>(loc, in, acc, ValueRange{}, ValueRange{}, ValueRange{},
                                           offsets, shape, strides);
    offsets[op.getAxis()] += shape[op.getAxis()];
  }
  rw.replaceOp(op, acc);
  return success();
}

/// Matmul as one linalg.generic whose loop order suits the right operand's
/// layout: with B as [N, K] (x @ transpose(W), every Linear layer, read in
/// place) the dot product over k is innermost and contiguous; with B as
/// [K, N] the output column n is. The multiply-add may be reassociated and
/// fused, as BLAS does, so LLVM vectorizes either (about 10x the named op's
/// plain loops on the MLP).
LogicalResult loom::lowering::lower(MatmulOp op, MatmulOp::Adaptor adaptor, ConversionPatternRewriter &rw) {
  auto out = tensorType(op.getResult());
  MLIRContext *ctx = rw.getContext();
  Value init = filled(rw, op.getLoc(), out, rw.getZeroAttr(out.getElementType()));
  Value lhs = adaptor.getLhs(), rhs = adaptor.getRhs();
  bool batched = out.getRank() == 3;
  // A transpose of B's last two axes is folded into the indexing map.
  bool transposedB = false;
  if (auto t = op.getRhs().getDefiningOp<TransposeOp>()) {
    auto perm = t.getPermutation();
    transposedB = batched ? perm == ArrayRef<int64_t>{0, 2, 1} : perm == ArrayRef<int64_t>{1, 0};
    if (transposedB) rhs = rw.getRemappedValue(t.getInput());
  }
  // Loops: [b,] m, then (n, k) for B as [N, K], (k, n) for B as [K, N].
  unsigned lead = batched ? 1 : 0, dims = lead + 3;
  auto d = [&](unsigned i) { return rw.getAffineDimExpr(i); };
  AffineExpr m = d(lead), n = d(lead + (transposedB ? 1 : 2)), k = d(lead + (transposedB ? 2 : 1));
  auto map = [&](std::initializer_list<AffineExpr> e) {
    SmallVector<AffineExpr> all;
    if (batched) all.push_back(d(0));
    all.append(e.begin(), e.end());
    return AffineMap::get(dims, 0, all, ctx);
  };
  SmallVector<utils::IteratorType> its(dims, utils::IteratorType::parallel);
  its[lead + (transposedB ? 2 : 1)] = utils::IteratorType::reduction;
  auto fm = arith::FastMathFlagsAttr::get(ctx, arith::FastMathFlags::reassoc | arith::FastMathFlags::contract);
  bool isF = isFloat(out.getElementType());
  Value result = buildGeneric(rw, op.getLoc(), out, ValueRange{lhs, rhs},
                              {map({m, k}), transposedB ? map({n, k}) : map({k, n})},
                              [&](OpBuilder &b, Location l, ValueRange a) -> Value {
                                if (!isF)
                                  return b.create<arith::AddIOp>(l, a[2], b.create<arith::MulIOp>(l, a[0], a[1]));
                                return b.create<arith::AddFOp>(l, a[2], b.create<arith::MulFOp>(l, a[0], a[1], fm), fm);
                              },
                              init, map({m, n}), its);
  rw.replaceOp(op, result);
  return success();
}

LogicalResult loom::lowering::lower(StopGradientOp op, StopGradientOp::Adaptor adaptor, ConversionPatternRewriter &rw) {
  rw.replaceOp(op, adaptor.getInput());
  return success();
}

LogicalResult loom::lowering::lower(InsertSliceOp op, InsertSliceOp::Adaptor adaptor, ConversionPatternRewriter &rw) {
  rw.replaceOpWithNewOp<tensor::InsertSliceOp>(op, adaptor.getSource(), adaptor.getDest(), ValueRange{},
                                               ValueRange{}, ValueRange{}, op.getStarts(),
                                               tensorType(op.getSource()).getShape(), op.getStrides());
  return success();
}

/// result[..., c] = (labels[...] == c)
LogicalResult loom::lowering::lower(OneHotOp op, OneHotOp::Adaptor adaptor, ConversionPatternRewriter &rw) {
  auto out = tensorType(op.getResult());
  int64_t rank = out.getRank();
  SmallVector<AffineExpr> lead;
  for (int64_t d = 0; d + 1 < rank; ++d) lead.push_back(rw.getAffineDimExpr(d));
  auto map = AffineMap::get(rank, 0, lead, rw.getContext());
  rw.replaceOp(op, buildGeneric(rw, op.getLoc(), out, adaptor.getLabels(), map,
                                [&](OpBuilder &b, Location l, ValueRange a) -> Value {
                                  Value c = b.create<linalg::IndexOp>(l, rank - 1);
                                  Value label = b.create<arith::IndexCastOp>(l, b.getIndexType(), a[0]);
                                  Value hit = b.create<arith::CmpIOp>(l, arith::CmpIPredicate::eq, c, label);
                                  return b.create<arith::UIToFPOp>(l, out.getElementType(), hit);
                                }));
  return success();
}

/// A reduction carrying (value, index); strict > keeps the first maximum.
LogicalResult loom::lowering::lower(ArgmaxOp op, ArgmaxOp::Adaptor adaptor, ConversionPatternRewriter &rw) {
  auto in = tensorType(op.getInput()), out = tensorType(op.getResult());
  Location loc = op.getLoc();
  int64_t axis = op.getAxis();
  auto ft = cast<FloatType>(in.getElementType());
  auto valueType = RankedTensorType::get(out.getShape(), ft);
  Value vals = filled(rw, loc, valueType, rw.getFloatAttr(ft, APFloat::getInf(ft.getFloatSemantics(), true)));
  Value idxs = filled(rw, loc, out, rw.getI64IntegerAttr(0));
  SmallVector<AffineExpr> kept;
  SmallVector<utils::IteratorType> its;
  for (int64_t d = 0; d < in.getRank(); ++d) {
    its.push_back(d == axis ? utils::IteratorType::reduction : utils::IteratorType::parallel);
    if (d != axis) kept.push_back(rw.getAffineDimExpr(d));
  }
  auto outMap = AffineMap::get(in.getRank(), 0, kept, rw.getContext());
  auto generic = rw.create<linalg::GenericOp>(
      loc, TypeRange{valueType, out}, adaptor.getInput(), ValueRange{vals, idxs},
      SmallVector<AffineMap>{rw.getMultiDimIdentityMap(in.getRank()), outMap, outMap}, its,
      [&](OpBuilder &b, Location l, ValueRange a) {
        Value i = b.create<arith::IndexCastOp>(l, b.getI64Type(), b.create<linalg::IndexOp>(l, axis));
        Value better = b.create<arith::CmpFOp>(l, arith::CmpFPredicate::OGT, a[0], a[1]);
        b.create<linalg::YieldOp>(l, ValueRange{b.create<arith::SelectOp>(l, better, a[0], a[1]),
                                                b.create<arith::SelectOp>(l, better, i, a[2])});
      });
  rw.replaceOp(op, generic.getResult(1));
  return success();
}

namespace {

struct LoomToLinalgPass : loom::impl::LoomToLinalgBase<LoomToLinalgPass> {
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    ConversionTarget target(*ctx);
    target.addIllegalDialect<LoomDialect>();
    target.addLegalDialect<arith::ArithDialect, linalg::LinalgDialect, math::MathDialect,
                           tensor::TensorDialect, func::FuncDialect>();
    // The ops LoomOps.td leaves legal (`lowering = ""`), and one pattern per other op.
#define LOOM_LOWERING_LEGAL
#include "loom/Dialect/LoomLowerings.inc"
    RewritePatternSet patterns(ctx);
    patterns.add<
#define LOOM_LOWERING_PATTERNS
#include "loom/Dialect/LoomLowerings.inc"
        >(ctx);
    if (failed(applyPartialConversion(getOperation(), target, std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
