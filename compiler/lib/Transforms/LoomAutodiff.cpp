// -loom-autodiff: reverse-mode differentiation of train steps and gradient
// exports, then the optimizer update (PyTorch's SGD, Adam, AdamW); in a
// data-parallel step the gradients are averaged over the processes first.
//
// The backward pass walks the forward ops in reverse, asking each op's
// VJPOpInterface for its operands' gradients and summing gradients of values
// used more than once. All of it is built from loom ops, so it lowers with the
// forward pass (and can be fused with it).
#include "BackwardNames.h"
#include "loom/Dialect/LoomMath.h"
#include "loom/Transforms/Passes.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/Support/Debug.h"

#include <cmath>

#define DEBUG_TYPE "loom-autodiff"

namespace loom {
#define GEN_PASS_DEF_LOOMAUTODIFF
#include "loom/Transforms/Passes.h.inc"
} // namespace loom

using namespace mlir;
using namespace loom;

namespace {

RankedTensorType ty(Value v) { return cast<RankedTensorType>(v.getType()); }
bool isF32(Value v) { return ty(v).getElementType().isF32(); }

int findByName(func::FuncOp fn, StringRef kind, StringRef name, bool result) {
  unsigned n = result ? fn.getNumResults() : fn.getNumArguments();
  for (unsigned i = 0; i < n; ++i) {
    auto a = result ? fn.getResultAttrOfType<StringAttr>(i, kind) : fn.getArgAttrOfType<StringAttr>(i, kind);
    if (a && a.getValue() == name) return i;
  }
  return -1;
}

/// "gradient of NAME" at the line of `op` (named NAME by the importer).
Location gradientLoc(Operation &op) {
  auto named = dyn_cast<NameLoc>(op.getLoc());
  StringRef name = named ? named.getName().getValue() : op.getName().stripDialect();
  return NameLoc::get(StringAttr::get(op.getContext(), loom::gradientName(name)), named ? named.getChildLoc() : op.getLoc());
}

/// Gradients of the scalar `loss` with respect to `wrt`, built before `ret`.
FailureOr<SmallVector<Value>> backward(func::FuncOp fn, Value loss, ArrayRef<Value> wrt, OpBuilder &b) {
  Block &body = fn.getBody().front();
  // Activity: values that depend on something we differentiate with respect to.
  llvm::DenseSet<Value> active(wrt.begin(), wrt.end());
  for (Operation &op : body.without_terminator())
    if (llvm::any_of(op.getOperands(), [&](Value v) { return active.contains(v); }))
      for (Value r : op.getResults())
        if (isF32(r)) active.insert(r);

  llvm::DenseMap<Value, Value> adjoint;
  adjoint[loss] = splat(b, loss.getLoc(), loss.getType(), 1.0);
  for (Operation &op : llvm::reverse(body.without_terminator())) {
    bool needed = llvm::any_of(op.getResults(), [&](Value r) { return adjoint.count(r) && active.contains(r); });
    if (!needed) continue;
    if (op.getNumResults() != 1)
      return op.emitOpError("has ") << op.getNumResults()
                                    << " results and the loss depends on one through a parameter: -loom-autodiff "
                                       "differentiates ops of one result";
    Value g = adjoint.lookup(op.getResult(0));
    auto rule = dyn_cast<VJPOpInterface>(op);
    if (!rule) return op.emitOpError("has no gradient rule, but the loss depends on it through a parameter");
    // The rule's ops are named after the op ("gradient of log", at its
    // line): what -loom-check-numerics reports a NaN in the backward pass as.
    Operation *last = b.getInsertionPoint()->getPrevNode();
    SmallVector<Value> grads = rule.vjp(b, g);
    LLVM_DEBUG(llvm::dbgs() << "loom-autodiff: " << op.getName() << " at " << op.getLoc() << ": "
                            << llvm::count_if(grads, [](Value v) { return bool(v); }) << " of " << grads.size()
                            << " operand gradients\n");
    Location at = gradientLoc(op);
    for (Operation *o = last ? last->getNextNode() : &b.getBlock()->front(); o != &*b.getInsertionPoint(); o = o->getNextNode())
      o->setLoc(at);
    // A rule's mistakes are the compiler's: said, not truncated.
    if (grads.size() != op.getNumOperands())
      return op.emitOpError("gradient rule returned ") << grads.size() << " gradients for " << op.getNumOperands()
                                                       << " operands";
    for (auto [i, operand, grad] : llvm::enumerate(op.getOperands(), grads)) {
      if (grad && grad.getType() != operand.getType())
        return op.emitOpError("gradient rule gave ") << grad.getType() << " for operand " << i << " of type "
                                                     << operand.getType();
      if (!grad || !active.contains(operand)) continue;
      Value &acc = adjoint[operand];
      acc = acc ? b.create<AddOp>(at, acc.getType(), acc, grad).getResult() : grad;
    }
  }
  SmallVector<Value> out;
  for (Value w : wrt) {
    Value g = adjoint.lookup(w);
    out.push_back(g ? g : splat(b, fn.getLoc(), w.getType(), 0.0));
  }
  return out;
}

/// The optimizer's update of one parameter: new values of the parameter and
/// of its state tensors (in the order stateNames lists them).
struct Optimizer {
  DictionaryAttr cfg;
  Value lr, step; // tensor<f32>, tensor<i64>

  StringRef kind() const { return cfg.getAs<StringAttr>("optimizer").getValue(); }
  double num(StringRef key) const { return cfg.getAs<FloatAttr>(key).getValueAsDouble(); }
  bool flag(StringRef key) const { return cfg.getAs<BoolAttr>(key).getValue(); }

  /// SGD with momentum keeps momentum_buffer; Adam(W) exp_avg and exp_avg_sq.
  size_t stateCount() const { return kind() == "sgd" ? (num("momentum") != 0 ? 1 : 0) : 2; }

  SmallVector<Value> update(OpBuilder &b, Location l, Value param, Value grad, ArrayRef<Value> state) const {
    Type t = param.getType();
    auto [p, g, lrS, stepI] = exprs(b, l, param, grad, lr, step);
    Expr stepS = lrS.with(b.create<CastOp>(l, lrS.type(), stepI)); // the step as an f32 scalar
    Expr lrT = broadcast(lrS, t);
    double wd = num("weight_decay");

    if (kind() == "sgd") {
      if (wd != 0) g = g + wd * p;
      SmallVector<Value> out{Value()};
      double mu = num("momentum");
      if (mu != 0) {
        // PyTorch: the buffer starts as the first gradient, then mu*buf + (1-dampening)*g.
        Expr first = broadcast(equal(stepS, 1.0), t); // an i1 mask of the parameter's shape
        Expr buf = where(first, g, mu * g.with(state[0]) + (1 - num("dampening")) * g);
        g = flag("nesterov") ? g + mu * buf : buf;
        out.push_back(buf);
      }
      out[0] = p - lrT * g;
      return out;
    }

    // Adam / AdamW.
    double b1 = num("beta1"), b2 = num("beta2");
    if (kind() == "adamw") p = p * broadcast(1.0 - lrS * wd, t);
    else if (wd != 0) g = g + wd * p;
    Expr m = b1 * g.with(state[0]) + (1 - b1) * g;
    Expr v = b2 * g.with(state[1]) + (1 - b2) * (g * g);
    // 1 - beta^step as -expm1(step * log(beta)): the plain 1 - exp(x) loses
    // ~4 digits to cancellation at step 1 with beta2 = 0.999, and which ones
    // depended on the exp (the GPU's libdevice drifted 4x further from
    // PyTorch's double-precision rule than the CPU). Kahan's expm1 from exp
    // and log: (u - 1) * x / log(u) with u = exp(x) (u - 1 is exact there); x
    // itself where u rounds to 1, and -1 where it underflows to 0 (late steps).
    auto correction = [&](double beta) {
      Expr x = stepS * std::log(beta);
      Expr u = exp(x);
      Expr um1 = u - 1.0;
      Expr expm1 = um1 * x / log(u);
      Expr finite = where(equal(um1, -1.0), um1, expm1);
      return -where(equal(um1, 0.0), x, finite);
    };
    Expr stepSize = broadcast(lrS / correction(b1), t);
    Expr bc2 = broadcast(sqrt(correction(b2)), t);
    Expr denom = sqrt(v) / bc2 + num("eps");
    return {p - stepSize * (m / denom), m, v};
  }
};

LogicalResult differentiate(func::FuncOp fn) {
  auto train = fn->getAttrOfType<DictionaryAttr>("loom.train");
  auto ret = cast<func::ReturnOp>(fn.getBody().front().getTerminator());
  int lossIdx = findByName(fn, "loom.output", "loss", /*result=*/true);
  if (lossIdx < 0) return fn.emitError("a train step or gradient export needs a result named 'loss'");
  Value loss = ret.getOperand(lossIdx);
  if (ty(loss).getRank() != 0 || !isF32(loss))
    return fn.emitError("the loss must be an f32 scalar, got ") << loss.getType();

  // What to differentiate with respect to.
  SmallVector<unsigned> wrtArgs;
  for (unsigned i = 0; i < fn.getNumArguments(); ++i) {
    bool param = fn.getArgAttr(i, "loom.param") && !fn.getArgAttr(i, "loom.frozen");
    auto input = fn.getArgAttrOfType<StringAttr>(i, "loom.input");
    bool gradInput = !train && input && isF32(fn.getArgument(i)) && input.getValue() != "lr";
    if (param || gradInput) wrtArgs.push_back(i);
  }
  SmallVector<Value> wrt;
  for (unsigned i : wrtArgs) wrt.push_back(fn.getArgument(i));

  OpBuilder b(ret);
  auto grads = backward(fn, loss, wrt, b);
  if (failed(grads)) return failure();
  // A data-parallel step updates every process's copy with the mean of all
  // processes' gradients (PyTorch's DDP): one all-reduce for all of them,
  // which the runtime splits into buckets.
  if (train && fn->hasAttr("loom.data_parallel") && !grads->empty()) {
    auto reduced = b.create<AllReduceOp>(NameLoc::get(b.getStringAttr("all-reduce of the gradients"), fn.getLoc()), *grads);
    LLVM_DEBUG(llvm::dbgs() << "loom-autodiff: " << fn.getSymName() << ": one all-reduce of " << grads->size()
                            << " gradients\n");
    grads->assign(reduced.getResults().begin(), reduced.getResults().end());
  }

  SmallVector<Value> results(ret.getOperands());
  auto addResult = [&](Value v, StringRef attr, StringRef name, StringRef gradientOf = "") {
    unsigned idx = fn.getNumResults();
    SmallVector<NamedAttribute> attrs{b.getNamedAttr(attr, b.getStringAttr(name))};
    // What the header pairs a gradient with (a parameter's, for grad_check).
    if (!gradientOf.empty()) attrs.push_back(b.getNamedAttr("loom.gradient_of", b.getStringAttr(gradientOf)));
    fn.insertResult(idx, v.getType(), b.getDictionaryAttr(attrs));
    results.push_back(v);
  };
  auto nameOf = [&](unsigned arg) {
    auto p = fn.getArgAttrOfType<StringAttr>(arg, "loom.param");
    return (p ? p : fn.getArgAttrOfType<StringAttr>(arg, "loom.input")).getValue().str();
  };

  if (!train) {
    for (auto [arg, g] : llvm::zip(wrtArgs, *grads)) {
      std::string name = "grad_" + nameOf(arg);
      std::replace(name.begin(), name.end(), '.', '_');
      addResult(g, "loom.output", name, nameOf(arg));
    }
  } else {
    int lrIdx = findByName(fn, "loom.input", "lr", false), stepIdx = findByName(fn, "loom.input", "step", false);
    if (lrIdx < 0 || stepIdx < 0) return fn.emitError("a train step needs the inputs 'lr' and 'step'");
    Optimizer opt{train, fn.getArgument(lrIdx), fn.getArgument(stepIdx)};
    // The importer made one loom.state argument per state tensor, named
    // <export>.<param>.<state>, in the order the optimizer lists them.
    auto exportName = fn->getAttrOfType<StringAttr>("loom.export");
    for (size_t w = 0; w < wrtArgs.size(); ++w) {
      std::string prefix = (exportName ? exportName.getValue() : fn.getSymName()).str() + "." + nameOf(wrtArgs[w]) + ".";
      SmallVector<Value> state;
      SmallVector<StringRef> stateNames;
      for (unsigned i = 0; i < fn.getNumArguments(); ++i)
        if (auto st = fn.getArgAttrOfType<StringAttr>(i, "loom.state"); st && st.getValue().starts_with(prefix)) {
          state.push_back(fn.getArgument(i));
          stateNames.push_back(st.getValue());
        }
      if (state.size() != opt.stateCount())
        return fn.emitError("parameter '") << nameOf(wrtArgs[w]) << "' has " << state.size()
                                           << " optimizer-state arguments, " << opt.kind() << " needs "
                                           << opt.stateCount();
      Value param = fn.getArgument(wrtArgs[w]);
      Location at = NameLoc::get(b.getStringAttr(loom::updateName(opt.kind(), nameOf(wrtArgs[w]))), fn.getLoc());
      SmallVector<Value> updated = opt.update(b, at, param, (*grads)[w], state);
      addResult(updated[0], "loom.update", nameOf(wrtArgs[w]));
      for (size_t k = 0; k < state.size(); ++k) addResult(updated[k + 1], "loom.update", stateNames[k]);
    }
  }
  ret->setOperands(results);
  return success();
}

struct LoomAutodiffPass : loom::impl::LoomAutodiffBase<LoomAutodiffPass> {
  void runOnOperation() override {
    for (auto fn : getOperation().getOps<func::FuncOp>())
      if ((fn->hasAttr("loom.train") || fn->hasAttr("loom.grad")) && failed(differentiate(fn)))
        return signalPassFailure();
  }
};

} // namespace
