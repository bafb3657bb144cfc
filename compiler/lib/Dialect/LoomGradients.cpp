// The gradient rule of each loom op (VJPOpInterface), written with loom ops so
// the backward pass lowers through the same pipeline as the forward pass.
// Conventions follow PyTorch: relu'(0) = 0; maximum/minimum split the
// gradient evenly on ties; reduce_max shares it among all maximal elements.
#include "loom/Dialect/LoomOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"

using namespace mlir;

namespace loom {

namespace {
RankedTensorType ty(Value v) { return cast<RankedTensorType>(v.getType()); }

RankedTensorType withShape(Value v, ArrayRef<int64_t> shape) {
  return RankedTensorType::get(shape, ty(v).getElementType());
}

/// Input shape with the reduced axes kept as 1 (for broadcasting a reduction back).
SmallVector<int64_t> keptShape(Value input, ArrayRef<int64_t> axes) {
  SmallVector<int64_t> s(ty(input).getShape());
  for (int64_t a : axes) s[a] = 1;
  return s;
}

/// Gradient of a reduction's result, spread back over the input's shape.
Value unreduce(OpBuilder &b, Location loc, Value g, Value input, ArrayRef<int64_t> axes) {
  Value r = b.create<ReshapeOp>(loc, withShape(g, keptShape(input, axes)), g);
  return broadcastTo(b, loc, r, input.getType());
}

Value mask(OpBuilder &b, Location loc, StringRef pred, Value x, Value y) {
  auto t = RankedTensorType::get(ty(x).getShape(), b.getI1Type());
  return b.create<CompareOp>(loc, t, b.getStringAttr(pred), x, y);
}

Value select(OpBuilder &b, Location loc, Value c, Value t, Value f) {
  return b.create<SelectOp>(loc, t.getType(), c, t, f);
}

template <typename Op> Value bin(OpBuilder &b, Location loc, Value x, Value y) {
  return b.create<Op>(loc, x.getType(), x, y);
}

/// Gradient of maximum (gt) or minimum (lt) for its first operand.
Value extremumGrad(OpBuilder &b, Location loc, StringRef pred, Value g, Value self, Value other) {
  Value zero = splat(b, loc, g.getType(), 0.0);
  Value half = bin<MulOp>(b, loc, g, splat(b, loc, g.getType(), 0.5));
  Value tie = select(b, loc, mask(b, loc, "eq", self, other), half, zero);
  return select(b, loc, mask(b, loc, pred, self, other), g, tie);
}

Value transposeLast2(OpBuilder &b, Location loc, Value x) {
  SmallVector<int64_t> perm, shape;
  int64_t r = ty(x).getRank();
  for (int64_t i = 0; i < r; ++i) perm.push_back(i < r - 2 ? i : (i == r - 2 ? r - 1 : r - 2));
  for (int64_t p : perm) shape.push_back(ty(x).getDimSize(p));
  return b.create<TransposeOp>(loc, withShape(x, shape), x, b.getDenseI64ArrayAttr(perm));
}
} // namespace

Value splat(OpBuilder &b, Location loc, Type type, double value) {
  auto t = cast<RankedTensorType>(type);
  Attribute v = isa<FloatType>(t.getElementType()) ? (Attribute)b.getFloatAttr(t.getElementType(), value)
                                                     : b.getIntegerAttr(t.getElementType(), (int64_t)value);
  return b.create<ConstantOp>(loc, DenseElementsAttr::get(t, v));
}

Value broadcastTo(OpBuilder &b, Location loc, Value x, Type type) {
  auto t = RankedTensorType::get(cast<RankedTensorType>(type).getShape(), ty(x).getElementType());
  if (t == x.getType()) return x;
  return b.create<BroadcastToOp>(loc, t, x);
}

Value sumToShape(OpBuilder &b, Location loc, Value g, Type type) {
  auto target = cast<RankedTensorType>(type).getShape();
  auto shape = ty(g).getShape();
  int64_t lead = shape.size() - target.size();
  SmallVector<int64_t> axes, kept;
  for (int64_t i = 0; i < static_cast<int64_t>(shape.size()); ++i) {
    bool reduced = i < lead || (target[i - lead] == 1 && shape[i] != 1);
    if (reduced) axes.push_back(i);
    else kept.push_back(shape[i]);
  }
  Value r = g;
  if (!axes.empty()) r = b.create<ReduceSumOp>(loc, withShape(g, kept), g, b.getDenseI64ArrayAttr(axes));
  if (ty(r).getShape() != target) r = b.create<ReshapeOp>(loc, withShape(g, target), r);
  return r;
}

// ---- elementwise ---------------------------------------------------------------------
SmallVector<Value> NegOp::vjp(OpBuilder &b, Value g) { return {b.create<NegOp>(getLoc(), g)}; }
SmallVector<Value> ExpOp::vjp(OpBuilder &b, Value g) { return {bin<MulOp>(b, getLoc(), g, getResult())}; }
SmallVector<Value> LogOp::vjp(OpBuilder &b, Value g) { return {bin<DivOp>(b, getLoc(), g, getInput())}; }
SmallVector<Value> SqrtOp::vjp(OpBuilder &b, Value g) {
  Location l = getLoc();
  return {bin<DivOp>(b, l, bin<MulOp>(b, l, g, splat(b, l, g.getType(), 0.5)), getResult())};
}
SmallVector<Value> TanhOp::vjp(OpBuilder &b, Value g) {
  Location l = getLoc();
  Value y = getResult();
  return {bin<MulOp>(b, l, g, bin<SubOp>(b, l, splat(b, l, y.getType(), 1.0), bin<MulOp>(b, l, y, y)))};
}
SmallVector<Value> SigmoidOp::vjp(OpBuilder &b, Value g) {
  Location l = getLoc();
  Value y = getResult();
  return {bin<MulOp>(b, l, bin<MulOp>(b, l, g, y), bin<SubOp>(b, l, splat(b, l, y.getType(), 1.0), y))};
}
SmallVector<Value> ReluOp::vjp(OpBuilder &b, Value g) {
  Location l = getLoc();
  Value zero = splat(b, l, g.getType(), 0.0);
  return {select(b, l, mask(b, l, "gt", getResult(), zero), g, zero)};
}
SmallVector<Value> AddOp::vjp(OpBuilder &, Value g) { return {g, g}; }
SmallVector<Value> SubOp::vjp(OpBuilder &b, Value g) { return {g, b.create<NegOp>(getLoc(), g)}; }
SmallVector<Value> MulOp::vjp(OpBuilder &b, Value g) {
  return {bin<MulOp>(b, getLoc(), g, getRhs()), bin<MulOp>(b, getLoc(), g, getLhs())};
}
SmallVector<Value> DivOp::vjp(OpBuilder &b, Value g) {
  Location l = getLoc();
  // d(a/b)/db = -(a/b)/b
  Value gb = b.create<NegOp>(l, bin<DivOp>(b, l, bin<MulOp>(b, l, g, getResult()), getRhs()));
  return {bin<DivOp>(b, l, g, getRhs()), gb};
}
SmallVector<Value> MaximumOp::vjp(OpBuilder &b, Value g) {
  return {extremumGrad(b, getLoc(), "gt", g, getLhs(), getRhs()), extremumGrad(b, getLoc(), "gt", g, getRhs(), getLhs())};
}
SmallVector<Value> MinimumOp::vjp(OpBuilder &b, Value g) {
  return {extremumGrad(b, getLoc(), "lt", g, getLhs(), getRhs()), extremumGrad(b, getLoc(), "lt", g, getRhs(), getLhs())};
}
SmallVector<Value> SelectOp::vjp(OpBuilder &b, Value g) {
  Value zero = splat(b, getLoc(), g.getType(), 0.0);
  return {Value(), select(b, getLoc(), getCond(), g, zero), select(b, getLoc(), getCond(), zero, g)};
}
SmallVector<Value> CastOp::vjp(OpBuilder &, Value g) {
  bool floats = isa<FloatType>(ty(getInput()).getElementType()) && isa<FloatType>(ty(getResult()).getElementType());
  return {floats ? g : Value()};
}
SmallVector<Value> StopGradientOp::vjp(OpBuilder &, Value) { return {Value()}; }

// ---- shapes ---------------------------------------------------------------------------
SmallVector<Value> BroadcastToOp::vjp(OpBuilder &b, Value g) {
  return {sumToShape(b, getLoc(), g, getInput().getType())};
}
SmallVector<Value> ReshapeOp::vjp(OpBuilder &b, Value g) {
  return {b.create<ReshapeOp>(getLoc(), getInput().getType(), g)};
}
SmallVector<Value> TransposeOp::vjp(OpBuilder &b, Value g) {
  auto perm = getPermutation();
  SmallVector<int64_t> inverse(perm.size());
  for (size_t i = 0; i < perm.size(); ++i) inverse[perm[i]] = i;
  return {b.create<TransposeOp>(getLoc(), getInput().getType(), g, b.getDenseI64ArrayAttr(inverse))};
}
SmallVector<Value> ConcatOp::vjp(OpBuilder &b, Value g) {
  SmallVector<Value> grads;
  int64_t axis = getAxis(), offset = 0, rank = ty(g).getRank();
  SmallVector<int64_t> strides(rank, 1);
  for (Value in : getInputs()) {
    SmallVector<int64_t> starts(rank, 0);
    starts[axis] = offset;
    offset += ty(in).getDimSize(axis);
    grads.push_back(b.create<SliceOp>(getLoc(), withShape(g, ty(in).getShape()), g,
                                      b.getDenseI64ArrayAttr(starts), b.getDenseI64ArrayAttr(strides)));
  }
  return grads;
}
SmallVector<Value> SliceOp::vjp(OpBuilder &b, Value g) {
  Value zeros = splat(b, getLoc(), withShape(g, ty(getInput()).getShape()), 0.0);
  return {b.create<InsertSliceOp>(getLoc(), zeros.getType(), g, zeros, getStartsAttr(), getStridesAttr())};
}
// pad and unpad are each other's adjoints (both linear).
SmallVector<Value> PadOp::vjp(OpBuilder &b, Value g) {
  return {b.create<UnpadOp>(getLoc(), getInput().getType(), g, getLowAttr(), getHighAttr(), getModeAttr())};
}
SmallVector<Value> UnpadOp::vjp(OpBuilder &b, Value g) {
  return {b.create<PadOp>(getLoc(), getInput().getType(), g, getLowAttr(), getHighAttr(), getModeAttr())};
}
SmallVector<Value> InsertSliceOp::vjp(OpBuilder &b, Value g) {
  Location l = getLoc();
  Value src = b.create<SliceOp>(l, getSource().getType(), g, getStartsAttr(), getStridesAttr());
  Value hole = splat(b, l, getSource().getType(), 0.0);
  Value dst = b.create<InsertSliceOp>(l, g.getType(), hole, g, getStartsAttr(), getStridesAttr());
  return {src, dst};
}

// ---- contractions and reductions ----------------------------------------------------------
SmallVector<Value> MatmulOp::vjp(OpBuilder &b, Value g) {
  Location l = getLoc();
  Value ga = b.create<MatmulOp>(l, getLhs().getType(), g, transposeLast2(b, l, getRhs()));
  Value gb = b.create<MatmulOp>(l, getRhs().getType(), transposeLast2(b, l, getLhs()), g);
  return {ga, gb};
}
SmallVector<Value> ReduceSumOp::vjp(OpBuilder &b, Value g) {
  return {unreduce(b, getLoc(), g, getInput(), getAxes())};
}
SmallVector<Value> ReduceMeanOp::vjp(OpBuilder &b, Value g) {
  Location l = getLoc();
  double count = double(ty(getInput()).getNumElements()) / double(std::max<int64_t>(ty(g).getNumElements(), 1));
  Value spread = unreduce(b, l, g, getInput(), getAxes());
  return {bin<MulOp>(b, l, spread, splat(b, l, spread.getType(), 1.0 / count))};
}
SmallVector<Value> ReduceMaxOp::vjp(OpBuilder &b, Value g) {
  Location l = getLoc();
  Value x = getInput();
  Value ymax = unreduce(b, l, getResult(), x, getAxes());
  Value hit = select(b, l, mask(b, l, "eq", x, ymax), splat(b, l, x.getType(), 1.0), splat(b, l, x.getType(), 0.0));
  Value count = b.create<ReduceSumOp>(l, getResult().getType(), hit, getAxesAttr());
  Value share = bin<DivOp>(b, l, g, count);
  return {bin<MulOp>(b, l, hit, unreduce(b, l, share, x, getAxes()))};
}

SmallVector<Value> Conv2dOp::vjp(OpBuilder &b, Value g) {
  Location l = getLoc();
  Value dx = b.create<Conv2dInputGradOp>(l, getLhs().getType(), g, getRhs(), getStridesAttr(), getDilationsAttr(),
                                         getGroupsAttr());
  Value dw = b.create<Conv2dFilterGradOp>(l, getRhs().getType(), getLhs(), g, getStridesAttr(), getDilationsAttr(),
                                          getGroupsAttr());
  return {dx, dw};
}

} // namespace loom
