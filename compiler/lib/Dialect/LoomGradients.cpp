// The gradient rule of each loom op (VJPOpInterface), written with loom ops so
// the backward pass lowers through the same pipeline as the forward pass; the
// arithmetic ones as math on Exprs (loom/Dialect/LoomMath.h), with the
// derivative beside them.
// Conventions follow PyTorch: relu'(0) = 0; maximum/minimum split the
// gradient evenly on ties; reduce_max shares it among all maximal elements.
#include "loom/Dialect/LoomMath.h"

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

// ---- elementwise (y is the result, dy its gradient) --------------------------------------
SmallVector<Value> NegOp::vjp(OpBuilder &b, Value g) {
  auto [dy] = exprs(b, getLoc(), g);
  return {-dy};
}
SmallVector<Value> ExpOp::vjp(OpBuilder &b, Value g) {
  auto [dy, y] = exprs(b, getLoc(), g, getResult());
  return {dy * y}; // d e^x = e^x
}
SmallVector<Value> LogOp::vjp(OpBuilder &b, Value g) {
  auto [dy, x] = exprs(b, getLoc(), g, getInput());
  return {dy / x}; // d log x = 1 / x
}
SmallVector<Value> SqrtOp::vjp(OpBuilder &b, Value g) {
  auto [dy, y] = exprs(b, getLoc(), g, getResult());
  return {dy * 0.5 / y}; // d sqrt(x) = 1 / (2 sqrt(x))
}
SmallVector<Value> TanhOp::vjp(OpBuilder &b, Value g) {
  auto [dy, y] = exprs(b, getLoc(), g, getResult());
  return {dy * (1.0 - y * y)}; // d tanh x = 1 - tanh^2 x
}
SmallVector<Value> SigmoidOp::vjp(OpBuilder &b, Value g) {
  auto [dy, y] = exprs(b, getLoc(), g, getResult());
  return {dy * y * (1.0 - y)}; // d s(x) = s(x) (1 - s(x))
}
SmallVector<Value> ReluOp::vjp(OpBuilder &b, Value g) {
  auto [dy, y] = exprs(b, getLoc(), g, getResult());
  return {where(y > 0.0, dy, 0.0)}; // 1 where x > 0; 0 at 0, as PyTorch
}
SmallVector<Value> AddOp::vjp(OpBuilder &, Value g) { return {g, g}; }
SmallVector<Value> SubOp::vjp(OpBuilder &b, Value g) {
  auto [dy] = exprs(b, getLoc(), g);
  return {dy, -dy};
}
SmallVector<Value> MulOp::vjp(OpBuilder &b, Value g) {
  auto [dy, x, w] = exprs(b, getLoc(), g, getLhs(), getRhs());
  return {dy * w, dy * x};
}
SmallVector<Value> DivOp::vjp(OpBuilder &b, Value g) {
  auto [dy, y, w] = exprs(b, getLoc(), g, getResult(), getRhs());
  Expr dw = -(dy * y / w); // d(x/w)/dw = -(x/w)/w
  return {dy / w, dw};     // d(x/w)/dx = 1/w
}
/// d max(x, w)/dx (wins = gt; min: lt): 1 where x wins, 1/2 on a tie
/// (PyTorch splits it evenly), else 0.
static Expr extremumGrad(ComparePredicate wins, const Expr &dy, const Expr &x, const Expr &w) {
  Expr zero = dy.constant(0.0), half = dy * 0.5;
  Expr tie = where(equal(x, w), half, zero);
  return where(compare(wins, x, w), dy, tie);
}
SmallVector<Value> MaximumOp::vjp(OpBuilder &b, Value g) {
  auto [dy, x, w] = exprs(b, getLoc(), g, getLhs(), getRhs());
  return {extremumGrad(ComparePredicate::gt, dy, x, w), extremumGrad(ComparePredicate::gt, dy, w, x)};
}
SmallVector<Value> MinimumOp::vjp(OpBuilder &b, Value g) {
  auto [dy, x, w] = exprs(b, getLoc(), g, getLhs(), getRhs());
  return {extremumGrad(ComparePredicate::lt, dy, x, w), extremumGrad(ComparePredicate::lt, dy, w, x)};
}
SmallVector<Value> SelectOp::vjp(OpBuilder &b, Value g) {
  auto [dy, c] = exprs(b, getLoc(), g, getCond());
  return {Value(), where(c, dy, 0.0), where(c, 0.0, dy)};
}
SmallVector<Value> CastOp::vjp(OpBuilder &, Value g) {
  bool floats = isa<FloatType>(ty(getInput()).getElementType()) && isa<FloatType>(ty(getResult()).getElementType());
  return {floats ? g : Value()};
}
SmallVector<Value> StopGradientOp::vjp(OpBuilder &, Value) { return {Value()}; }

// ---- shapes ---------------------------------------------------------------------------
SmallVector<Value> BroadcastToOp::vjp(OpBuilder &b, Value g) {
  auto [dy] = exprs(b, getLoc(), g);
  return {sumTo(dy, getInput().getType())};
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
  double count = double(ty(getInput()).getNumElements()) / double(std::max<int64_t>(ty(g).getNumElements(), 1));
  auto [spread] = exprs(b, getLoc(), unreduce(b, getLoc(), g, getInput(), getAxes()));
  return {spread * (1.0 / count)}; // each input counted once among `count`
}
SmallVector<Value> ReduceMaxOp::vjp(OpBuilder &b, Value g) {
  // The gradient is shared among the elements that equal the maximum.
  Location l = getLoc();
  auto [dy, x, y] = exprs(b, l, g, getInput(), getResult());
  Expr hit = where(equal(x, x.with(unreduce(b, l, y, x, getAxes()))), x.constant(1.0), 0.0);
  Expr count = y.with(b.create<ReduceSumOp>(l, y.value().getType(), hit, getAxesAttr()));
  return {hit * x.with(unreduce(b, l, dy / count, x, getAxes()))};
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
