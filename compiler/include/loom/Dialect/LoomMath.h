// Gradient rules and optimizer updates written as math: an Expr is a loom
// tensor being built, and its operators make loom ops at the builder's
// location, so a rule reads as its derivative (`dy * (1.0 - y * y)` for tanh)
// instead of nested builder calls. A double beside an Expr is a constant of
// the Expr's type. Used by LoomGradients.cpp and -loom-autodiff's optimizers.
#pragma once

#include "loom/Dialect/LoomOps.h"

#include <array>

namespace loom {

class Expr {
public:
  Expr(mlir::Value v, mlir::OpBuilder &b, mlir::Location loc) : v_(v), b_(&b), loc_(loc) {}
  operator mlir::Value() const { return v_; }
  mlir::Value value() const { return v_; }
  mlir::RankedTensorType type() const { return mlir::cast<mlir::RankedTensorType>(v_.getType()); }
  mlir::OpBuilder &builder() const { return *b_; }
  mlir::Location loc() const { return loc_; }

  /// Another value, built at the same place.
  Expr with(mlir::Value v) const { return {v, *b_, loc_}; }
  /// A constant of this Expr's type.
  Expr constant(double c) const { return with(splat(*b_, loc_, v_.getType(), c)); }
  /// loom op `Op` of this Expr's type, from `operands`.
  template <class Op> Expr make(mlir::ValueRange operands) const {
    return with(b_->create<Op>(loc_, v_.getType(), operands));
  }

private:
  mlir::Value v_;
  mlir::OpBuilder *b_;
  mlir::Location loc_;
};

/// The values a rule starts from, as Exprs at `loc`: `auto [dy, y] = exprs(b, loc, g, getResult());`
template <class... V> std::array<Expr, sizeof...(V)> exprs(mlir::OpBuilder &b, mlir::Location loc, V... v) {
  return {Expr(v, b, loc)...};
}

// ---- arithmetic (operands of one type; a double is a constant of the other's) ---------------
#define LOOM_EXPR_OPERATOR(SYM, OP)                                                                       \
  inline Expr operator SYM(const Expr &x, const Expr &y) { return x.make<OP>({x.value(), y.value()}); } \
  inline Expr operator SYM(const Expr &x, double c) { return x SYM x.constant(c); }                     \
  inline Expr operator SYM(double c, const Expr &y) { return y.constant(c) SYM y; }
LOOM_EXPR_OPERATOR(+, AddOp)
LOOM_EXPR_OPERATOR(-, SubOp)
LOOM_EXPR_OPERATOR(*, MulOp)
LOOM_EXPR_OPERATOR(/, DivOp)
#undef LOOM_EXPR_OPERATOR
inline Expr operator-(const Expr &x) { return x.make<NegOp>({x.value()}); }

inline Expr exp(const Expr &x) { return x.make<ExpOp>({x.value()}); }
inline Expr log(const Expr &x) { return x.make<LogOp>({x.value()}); }
inline Expr sqrt(const Expr &x) { return x.make<SqrtOp>({x.value()}); }

// ---- masks and selection -------------------------------------------------------------------
/// An i1 mask of x's shape: the `pred` comparison of x and y.
inline Expr compare(ComparePredicate pred, const Expr &x, const Expr &y) {
  auto mask = mlir::RankedTensorType::get(x.type().getShape(), x.builder().getI1Type());
  return x.with(x.builder().create<CompareOp>(x.loc(), mask, pred, x.value(), y.value()));
}
inline Expr operator>(const Expr &x, const Expr &y) { return compare(ComparePredicate::gt, x, y); }
inline Expr operator>(const Expr &x, double c) { return x > x.constant(c); }
/// Element-wise x == y, as a mask (named, so that it is not read as a test of the Exprs).
inline Expr equal(const Expr &x, const Expr &y) { return compare(ComparePredicate::eq, x, y); }
inline Expr equal(const Expr &x, double c) { return equal(x, x.constant(c)); }

/// a where `mask`, else b.
inline Expr where(const Expr &mask, const Expr &a, const Expr &b) {
  return a.with(a.builder().create<SelectOp>(a.loc(), a.value().getType(), mask.value(), a.value(), b.value()));
}
inline Expr where(const Expr &mask, const Expr &a, double b) { return where(mask, a, a.constant(b)); }
inline Expr where(const Expr &mask, double a, const Expr &b) { return where(mask, b.constant(a), b); }

// ---- shapes --------------------------------------------------------------------------------
/// x broadcast to the shape of `to` (numpy's rules; x itself when the shapes agree).
inline Expr broadcast(const Expr &x, mlir::Type to) { return x.with(broadcastTo(x.builder(), x.loc(), x, to)); }
/// x summed down to the shape of `to`: the adjoint of broadcast.
inline Expr sumTo(const Expr &x, mlir::Type to) { return x.with(sumToShape(x.builder(), x.loc(), x, to)); }

} // namespace loom
