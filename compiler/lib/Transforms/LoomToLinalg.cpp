// -loom-to-linalg: every `loom` op becomes linalg/tensor/arith on tensors.
//
// Elementwise ops, broadcasts and transposes all become linalg.generic through
// one helper (buildGeneric), so that -linalg-fuse-elementwise-ops can merge a
// whole chain (bias add + relu, broadcast + mul, ...) into one loop nest.
#include "loom/Dialect/LoomOps.h"
#include "loom/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/AffineMap.h"
#include "mlir/Transforms/DialectConversion.h"
#include "llvm/ADT/StringSwitch.h"

namespace loom {
#define GEN_PASS_DEF_LOOMTOLINALG
#include "loom/Transforms/Passes.h.inc"
} // namespace loom

using namespace mlir;
using namespace loom;

namespace {

using BodyFn = function_ref<Value(OpBuilder &, Location, ValueRange)>;

RankedTensorType tensorType(Value v) { return cast<RankedTensorType>(v.getType()); }
bool isFloat(Type t) { return isa<FloatType>(getElementTypeOrSelf(t)); }

/// A linalg.generic writing a fresh tensor of `resultType`; `inputMaps` index the
/// inputs from the result's iteration space (all parallel unless `iterators` says).
Value buildGeneric(OpBuilder &b, Location loc, RankedTensorType resultType, ValueRange inputs,
                   ArrayRef<AffineMap> inputMaps, BodyFn body, Value init = {},
                   AffineMap outMap = {}, ArrayRef<utils::IteratorType> iterators = {}) {
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

Value zeroOf(OpBuilder &b, Location loc, Type t) {
  return b.create<arith::ConstantOp>(loc, b.getZeroAttr(t));
}

Value compareScalar(OpBuilder &b, Location loc, StringRef pred, Value x, Value y) {
  if (isFloat(x.getType())) {
    // Ordered, except ne (true when either side is NaN), as in C++ and PyTorch.
    auto p = llvm::StringSwitch<arith::CmpFPredicate>(pred)
                 .Case("eq", arith::CmpFPredicate::OEQ).Case("ne", arith::CmpFPredicate::UNE)
                 .Case("lt", arith::CmpFPredicate::OLT).Case("le", arith::CmpFPredicate::OLE)
                 .Case("gt", arith::CmpFPredicate::OGT).Default(arith::CmpFPredicate::OGE);
    return b.create<arith::CmpFOp>(loc, p, x, y);
  }
  auto p = llvm::StringSwitch<arith::CmpIPredicate>(pred)
               .Case("eq", arith::CmpIPredicate::eq).Case("ne", arith::CmpIPredicate::ne)
               .Case("lt", arith::CmpIPredicate::slt).Case("le", arith::CmpIPredicate::sle)
               .Case("gt", arith::CmpIPredicate::sgt).Default(arith::CmpIPredicate::sge);
  return b.create<arith::CmpIOp>(loc, p, x, y);
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

struct ConstantLowering : OpConversionPattern<ConstantOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(ConstantOp op, OpAdaptor, ConversionPatternRewriter &rw) const override {
    rw.replaceOpWithNewOp<arith::ConstantOp>(op, cast<TypedAttr>(op.getValue()));
    return success();
  }
};

/// Unit dimensions of the input are collapsed away, so the generic reads it
/// through a projected permutation (the form elementwise fusion accepts).
struct BroadcastLowering : OpConversionPattern<BroadcastToOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(BroadcastToOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rw) const override {
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
};

struct TransposeLowering : OpConversionPattern<TransposeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(TransposeOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rw) const override {
    auto perm = op.getPermutation();
    // Result dim i reads input dim perm[i]: input dim p is indexed by result dim inv[p].
    SmallVector<AffineExpr> exprs(perm.size());
    for (size_t i = 0; i < perm.size(); ++i) exprs[perm[i]] = rw.getAffineDimExpr(i);
    auto map = AffineMap::get(perm.size(), 0, exprs, rw.getContext());
    rw.replaceOp(op, buildGeneric(rw, op.getLoc(), tensorType(op.getResult()), adaptor.getInput(),
                                  map, [](OpBuilder &, Location, ValueRange a) { return a[0]; }));
    return success();
  }
};

/// Any static reshape: through a 1-D tensor (collapse then expand); both are
/// views after bufferization.
struct ReshapeLowering : OpConversionPattern<ReshapeOp> {
  using OpConversionPattern::OpConversionPattern;
  static SmallVector<ReassociationIndices> allInOne(int64_t rank) {
    if (rank == 0) return {};
    ReassociationIndices all;
    for (int64_t i = 0; i < rank; ++i) all.push_back(i);
    return {all};
  }
  LogicalResult matchAndRewrite(ReshapeOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rw) const override {
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
};

struct SliceLowering : OpConversionPattern<SliceOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(SliceOp op, OpAdaptor adaptor, ConversionPatternRewriter &rw) const override {
    auto out = tensorType(op.getResult());
    rw.replaceOpWithNewOp<tensor::ExtractSliceOp>(op, out, adaptor.getInput(), ValueRange{},
                                                  ValueRange{}, ValueRange{}, op.getStarts(),
                                                  out.getShape(), op.getStrides());
    return success();
  }
};

struct ConcatLowering : OpConversionPattern<ConcatOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(ConcatOp op, OpAdaptor adaptor, ConversionPatternRewriter &rw) const override {
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
};

Value filled(OpBuilder &b, Location loc, RankedTensorType type, TypedAttr value) {
  Value empty = b.create<tensor::EmptyOp>(loc, type.getShape(), type.getElementType());
  Value cst = b.create<arith::ConstantOp>(loc, value);
  return b.create<linalg::FillOp>(loc, cst, empty).getResult(0);
}

/// Matmul as one linalg.generic whose loop order suits the right operand's
/// layout: with B as [N, K] (x @ transpose(W), every Linear layer, read in
/// place) the dot product over k is innermost and contiguous; with B as
/// [K, N] the output column n is. The multiply-add may be reassociated and
/// fused, as BLAS does, so LLVM vectorizes either (about 10x the named op's
/// plain loops on the MLP).
struct MatmulLowering : OpConversionPattern<MatmulOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(MatmulOp op, OpAdaptor adaptor, ConversionPatternRewriter &rw) const override {
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
    // As convolutions are marked (markConv), for the CPU's micro-kernel.
    result.getDefiningOp()->setAttr("loom.matmul",
                                    rw.getDictionaryAttr({rw.getNamedAttr("transposed_b", rw.getBoolAttr(transposedB))}));
    rw.replaceOp(op, result);
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

struct StopGradientLowering : OpConversionPattern<StopGradientOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(StopGradientOp op, OpAdaptor adaptor, ConversionPatternRewriter &rw) const override {
    rw.replaceOp(op, adaptor.getInput());
    return success();
  }
};

struct InsertSliceLowering : OpConversionPattern<InsertSliceOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(InsertSliceOp op, OpAdaptor adaptor, ConversionPatternRewriter &rw) const override {
    rw.replaceOpWithNewOp<tensor::InsertSliceOp>(op, adaptor.getSource(), adaptor.getDest(), ValueRange{},
                                                 ValueRange{}, ValueRange{}, op.getStarts(),
                                                 tensorType(op.getSource()).getShape(), op.getStrides());
    return success();
  }
};

/// loom.pad: one loop nest over the result; each element reads the input at its
/// source index (reflected, or zero outside the input). One kernel on a GPU.
struct PadLowering : OpConversionPattern<PadOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(PadOp op, OpAdaptor adaptor, ConversionPatternRewriter &rw) const override {
    auto out = tensorType(op.getResult());
    auto in = tensorType(op.getInput());
    bool reflect = op.getMode() == "reflect";
    Value x = adaptor.getInput();
    auto body = [&](OpBuilder &b, Location l, ValueRange) -> Value {
      auto c = [&](int64_t v) -> Value { return b.create<arith::ConstantIndexOp>(l, v); };
      auto cmp = [&](arith::CmpIPredicate p, Value u, Value v) -> Value { return b.create<arith::CmpIOp>(l, p, u, v); };
      Value inside;
      SmallVector<Value> idx;
      for (int64_t d = 0; d < out.getRank(); ++d) {
        Value j = b.create<linalg::IndexOp>(l, d);
        int64_t low = op.getLow()[d], n = in.getDimSize(d);
        if (low == 0 && op.getHigh()[d] == 0) {
          idx.push_back(j);
          continue;
        }
        j = b.create<arith::SubIOp>(l, j, c(low));
        if (reflect) { // -j before the input, 2(n-1) - j after it
          j = b.create<arith::SelectOp>(l, cmp(arith::CmpIPredicate::slt, j, c(0)), b.create<arith::SubIOp>(l, c(0), j), j);
          j = b.create<arith::SelectOp>(l, cmp(arith::CmpIPredicate::sge, j, c(n)),
                                        b.create<arith::SubIOp>(l, c(2 * (n - 1)), j), j);
        } else {
          Value ok = b.create<arith::AndIOp>(l, cmp(arith::CmpIPredicate::sge, j, c(0)), cmp(arith::CmpIPredicate::slt, j, c(n)));
          inside = inside ? b.create<arith::AndIOp>(l, inside, ok).getResult() : ok;
          j = b.create<arith::SelectOp>(l, ok, j, c(0)); // any index inside: the value is not used
        }
        idx.push_back(j);
      }
      Value v = b.create<tensor::ExtractOp>(l, x, idx);
      return inside ? b.create<arith::SelectOp>(l, inside, v, zeroOf(b, l, out.getElementType())).getResult() : v;
    };
    rw.replaceOp(op, buildGeneric(rw, op.getLoc(), out, ValueRange{}, {}, body));
    return success();
  }
};

/// loom.unpad (pad's gradient): with zeros, the slice at `low`; with reflect,
/// one loop nest over the result summing the padded elements taken from each
/// one: per dimension the element itself and, where it has one, its mirror
/// image before and after the input (3^k candidates for k padded dimensions).
struct UnpadLowering : OpConversionPattern<UnpadOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(UnpadOp op, OpAdaptor adaptor, ConversionPatternRewriter &rw) const override {
    auto out = tensorType(op.getResult());
    Value g = adaptor.getInput();
    if (op.getMode() == "zeros") {
      SmallVector<int64_t> strides(out.getRank(), 1);
      rw.replaceOpWithNewOp<tensor::ExtractSliceOp>(op, out, g, ValueRange{}, ValueRange{}, ValueRange{},
                                                    op.getLow(), out.getShape(), strides);
      return success();
    }
    auto body = [&](OpBuilder &b, Location l, ValueRange) -> Value {
      auto c = [&](int64_t v) -> Value { return b.create<arith::ConstantIndexOp>(l, v); };
      auto between = [&](Value j, int64_t lo, int64_t hi) -> Value { // lo <= j <= hi
        return b.create<arith::AndIOp>(l, b.create<arith::CmpIOp>(l, arith::CmpIPredicate::sge, j, c(lo)),
                                       b.create<arith::CmpIOp>(l, arith::CmpIPredicate::sle, j, c(hi)));
      };
      struct Candidate {
        Value index, valid; // valid null: always
      };
      SmallVector<SmallVector<Candidate>> perDim;
      for (int64_t d = 0; d < out.getRank(); ++d) {
        Value j = b.create<linalg::IndexOp>(l, d);
        int64_t low = op.getLow()[d], high = op.getHigh()[d], n = out.getDimSize(d);
        Value self = b.create<arith::AddIOp>(l, j, c(low));
        SmallVector<Candidate> cs{{self, Value()}};
        // pad put x[j] at low - j (1 <= j <= low) and at low + 2(n-1) - j (n-1-high <= j <= n-2);
        // an invalid candidate reads `self` instead, to stay inside.
        if (low > 0) {
          Value ok = between(j, 1, low);
          cs.push_back({b.create<arith::SelectOp>(l, ok, b.create<arith::SubIOp>(l, c(low), j), self), ok});
        }
        if (high > 0) {
          Value ok = between(j, n - 1 - high, n - 2);
          cs.push_back({b.create<arith::SelectOp>(l, ok, b.create<arith::SubIOp>(l, c(low + 2 * (n - 1)), j), self), ok});
        }
        perDim.push_back(cs);
      }
      Value sum = zeroOf(b, l, out.getElementType());
      SmallVector<size_t> pick(out.getRank(), 0);
      while (true) { // every combination of candidates, in a fixed order
        SmallVector<Value> idx;
        Value valid;
        for (int64_t d = 0; d < out.getRank(); ++d) {
          const Candidate &cd = perDim[d][pick[d]];
          idx.push_back(cd.index);
          if (cd.valid) valid = valid ? b.create<arith::AndIOp>(l, valid, cd.valid).getResult() : cd.valid;
        }
        Value v = b.create<tensor::ExtractOp>(l, g, idx);
        if (valid) v = b.create<arith::SelectOp>(l, valid, v, zeroOf(b, l, out.getElementType()));
        sum = b.create<arith::AddFOp>(l, sum, v);
        int64_t d = out.getRank() - 1;
        while (d >= 0 && ++pick[d] == perDim[d].size()) pick[d--] = 0;
        if (d < 0) break;
      }
      return sum;
    };
    rw.replaceOp(op, buildGeneric(rw, op.getLoc(), out, ValueRange{}, {}, body));
    return success();
  }
};

/// result[..., c] = (labels[...] == c)
struct OneHotLowering : OpConversionPattern<OneHotOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(OneHotOp op, OpAdaptor adaptor, ConversionPatternRewriter &rw) const override {
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
};

/// A reduction carrying (value, index); strict > keeps the first maximum.
struct ArgmaxLowering : OpConversionPattern<ArgmaxOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(ArgmaxOp op, OpAdaptor adaptor, ConversionPatternRewriter &rw) const override {
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
};

/// Philox 4x32-10 per element, as loom::rt::Philox4x32::uniform (runtime/include/loom/rt/philox.hpp).
struct RandomUniformLowering : OpConversionPattern<RandomUniformOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(RandomUniformOp op, OpAdaptor adaptor, ConversionPatternRewriter &rw) const override {
    auto out = tensorType(op.getResult());
    int64_t rank = out.getRank();
    auto scalarMap = AffineMap::get(rank, 0, {}, rw.getContext());
    int64_t stream = op.getStream();
    auto body = [&](OpBuilder &b, Location l, ValueRange a) -> Value {
      Type i32 = b.getI32Type(), i64 = b.getI64Type();
      auto c64 = [&](int64_t v) -> Value { return b.create<arith::ConstantIntOp>(l, v, 64); };
      auto c32 = [&](int64_t v) -> Value { return b.create<arith::ConstantIntOp>(l, v, 32); };
      auto lo = [&](Value v) -> Value { return b.create<arith::TruncIOp>(l, i32, v); };
      auto hi = [&](Value v) -> Value { return lo(b.create<arith::ShRUIOp>(l, v, c64(32))); };
      // Row-major flat index of this element.
      Value flat = c64(0);
      for (int64_t d = 0; d < rank; ++d) {
        Value idx = b.create<arith::IndexCastOp>(l, i64, b.create<linalg::IndexOp>(l, d));
        flat = b.create<arith::AddIOp>(l, b.create<arith::MulIOp>(l, flat, c64(out.getDimSize(d))), idx);
      }
      Value block = b.create<arith::ShRUIOp>(l, flat, c64(2));
      Value ctr[4] = {lo(block), hi(block), lo(a[1]), c32(stream)};
      Value key[2] = {lo(a[0]), hi(a[0])};
      auto mul = [&](uint32_t m, Value x) -> Value {
        return b.create<arith::MulIOp>(l, c64(m), b.create<arith::ExtUIOp>(l, i64, x));
      };
      for (int round = 0; round < 10; ++round) {
        Value p0 = mul(0xD2511F53u, ctr[0]), p1 = mul(0xCD9E8D57u, ctr[2]);
        Value n0 = b.create<arith::XOrIOp>(l, b.create<arith::XOrIOp>(l, hi(p1), ctr[1]), key[0]);
        Value n2 = b.create<arith::XOrIOp>(l, b.create<arith::XOrIOp>(l, hi(p0), ctr[3]), key[1]);
        ctr[0] = n0, ctr[1] = lo(p1), ctr[2] = n2, ctr[3] = lo(p0);
        key[0] = b.create<arith::AddIOp>(l, key[0], c32(0x9E3779B9u));
        key[1] = b.create<arith::AddIOp>(l, key[1], c32(0xBB67AE85u));
      }
      Value lane = b.create<arith::AndIOp>(l, flat, c64(3));
      Value bits = ctr[3];
      for (int k = 2; k >= 0; --k) {
        Value is = b.create<arith::CmpIOp>(l, arith::CmpIPredicate::eq, lane, c64(k));
        bits = b.create<arith::SelectOp>(l, is, ctr[k], bits);
      }
      Value top = b.create<arith::ShRUIOp>(l, bits, c32(8));
      Value f = b.create<arith::UIToFPOp>(l, out.getElementType(), top);
      return b.create<arith::MulFOp>(l, f, b.create<arith::ConstantOp>(l, b.getFloatAttr(out.getElementType(), 0x1p-24)));
    };
    rw.replaceOp(op, buildGeneric(rw, op.getLoc(), out, ValueRange{adaptor.getSeed(), adaptor.getStep()},
                                  {scalarMap, scalarMap}, body));
    return success();
  }
};

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

/// Marks a convolution's contraction with what it computes (`loom.conv`:
/// kind, strides, dilations, groups), so a target can recognise it after
/// bufferization without reverse-engineering indexing maps (the CPU calls its
/// micro-kernels: -loom-cpu-ukernels). Elementwise fusion drops the mark
/// whenever it changes the op, and the op then stays loops.
template <typename Op> Value markConv(Value conv, Op op, StringRef kind) {
  Builder b(op.getContext());
  conv.getDefiningOp()->setAttr(
      "loom.conv", b.getDictionaryAttr({b.getNamedAttr("kind", b.getStringAttr(kind)),
                                        b.getNamedAttr("strides", b.getDenseI64ArrayAttr(op.getStrides())),
                                        b.getNamedAttr("dilations", b.getDenseI64ArrayAttr(op.getDilations())),
                                        b.getNamedAttr("groups", b.getI64IntegerAttr(op.getGroups()))}));
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
template <typename OpTy> struct ConvContractionLowering : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;
  static constexpr bool kForward = std::is_same_v<OpTy, Conv2dOp>;
  LogicalResult matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor, ConversionPatternRewriter &rw) const override {
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
                              op, kForward ? "forward" : "filter_grad"));
    return success();
  }
};

/// dx[n, ci, p, q] = sum_{oo, kh, kw} dyP[n, g(ci) Og + oo, p + (KH-1-kh) d0, q + (KW-1-kw) d1]
///                                    w[g(ci) Og + oo, ci mod Cg, kh, kw]
/// where dyP is dy spread out by the strides and padded by (K-1) d: every
/// (output, tap) pair that reads x[p, q] lands at one place. Loops (n, ci, p | oo, kh, kw | q).
struct Conv2dInputGradLowering : OpConversionPattern<Conv2dInputGradOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(Conv2dInputGradOp op, OpAdaptor adaptor, ConversionPatternRewriter &rw) const override {
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
                              op, "input_grad"));
    return success();
  }
};

struct LoomToLinalgPass : loom::impl::LoomToLinalgBase<LoomToLinalgPass> {
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    ConversionTarget target(*ctx);
    target.addIllegalDialect<LoomDialect>();
    target.addLegalDialect<arith::ArithDialect, linalg::LinalgDialect, math::MathDialect,
                           tensor::TensorDialect, func::FuncDialect>();
    RewritePatternSet patterns(ctx);
    patterns.add<ElementwiseLowering<NegOp>, ElementwiseLowering<ExpOp>, ElementwiseLowering<LogOp>,
                 ElementwiseLowering<SqrtOp>, ElementwiseLowering<TanhOp>,
                 ElementwiseLowering<SigmoidOp>, ElementwiseLowering<ReluOp>,
                 ElementwiseLowering<AddOp>, ElementwiseLowering<SubOp>, ElementwiseLowering<MulOp>,
                 ElementwiseLowering<DivOp>, ElementwiseLowering<MaximumOp>,
                 ElementwiseLowering<MinimumOp>, ConstantLowering, BroadcastLowering,
                 TransposeLowering, ReshapeLowering, SliceLowering, ConcatLowering, PadLowering, UnpadLowering,
                 MatmulLowering,
                 ReduceLowering<ReduceSumOp>, ReduceLowering<ReduceMeanOp>,
                 ReduceLowering<ReduceMaxOp>, ElementwiseLowering<CompareOp>,
                 ElementwiseLowering<SelectOp>, ElementwiseLowering<CastOp>, StopGradientLowering,
                 InsertSliceLowering, OneHotLowering, ArgmaxLowering, RandomUniformLowering,
                 ConvContractionLowering<Conv2dOp>, ConvContractionLowering<Conv2dFilterGradOp>,
                 Conv2dInputGradLowering>(ctx);
    if (failed(applyPartialConversion(getOperation(), target, std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
