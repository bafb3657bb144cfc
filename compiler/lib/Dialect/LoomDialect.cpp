// The `loom` dialect: registration and op verifiers. Op definitions are in
// LoomOps.td; each verifier reports the op's shapes so that an error in a
// hand-written or traced module names what is wrong.
#include "loom/Dialect/LoomOps.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Bufferization/IR/DstBufferizableOpInterfaceImpl.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/OpImplementation.h"
#include "llvm/ADT/STLExtras.h"

using namespace mlir;
using namespace loom;

#include "loom/Dialect/LoomDialect.cpp.inc"
#include "loom/Dialect/LoomEnums.cpp.inc"
#include "loom/Dialect/LoomInterfaces.cpp.inc"

namespace {
/// loom.all_reduce on tensors becomes loom.all_reduce on their buffers, in
/// place: each result is its operand's buffer, overwritten with the mean.
struct AllReduceBufferization
    : bufferization::DstBufferizableOpInterfaceExternalModel<AllReduceBufferization, AllReduceOp> {
  LogicalResult bufferize(Operation *op, RewriterBase &rw, const bufferization::BufferizationOptions &options) const {
    SmallVector<Value> buffers;
    for (Value v : op->getOperands()) {
      FailureOr<Value> buffer = bufferization::getBuffer(rw, v, options);
      if (failed(buffer)) return failure();
      buffers.push_back(*buffer);
    }
    rw.setInsertionPoint(op);
    rw.create<AllReduceOp>(op->getLoc(), TypeRange{}, buffers);
    bufferization::replaceOpWithBufferizedValues(rw, op, buffers);
    return success();
  }
};
} // namespace

void LoomDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "loom/Dialect/LoomOps.cpp.inc"
      >();
  AllReduceOp::attachInterface<AllReduceBufferization>(*getContext());
}

#define GET_OP_CLASSES
#include "loom/Dialect/LoomOps.cpp.inc"

namespace {
ArrayRef<int64_t> shapeOf(Value v) { return cast<RankedTensorType>(v.getType()).getShape(); }

std::string str(ArrayRef<int64_t> s) {
  std::string out = "[";
  for (size_t i = 0; i < s.size(); ++i) out += (i ? "," : "") + std::to_string(s[i]);
  return out + "]";
}
} // namespace

OpFoldResult ConstantOp::fold(FoldAdaptor) { return getValue(); }

LogicalResult BroadcastToOp::verify() {
  auto in = shapeOf(getInput()), out = shapeOf(getResult());
  if (in.size() > out.size())
    return emitOpError("cannot broadcast ") << str(in) << " to lower rank " << str(out);
  size_t lead = out.size() - in.size();
  for (size_t i = 0; i < in.size(); ++i)
    if (in[i] != 1 && in[i] != out[lead + i])
      return emitOpError("cannot broadcast ") << str(in) << " to " << str(out) << ": dimension "
                                               << i << " is " << in[i] << ", not 1 or "
                                               << out[lead + i];
  return success();
}

LogicalResult ReshapeOp::verify() {
  auto in = cast<RankedTensorType>(getInput().getType());
  auto out = cast<RankedTensorType>(getResult().getType());
  if (in.getNumElements() != out.getNumElements())
    return emitOpError("element count differs: ")
           << str(in.getShape()) << " has " << in.getNumElements() << ", " << str(out.getShape())
           << " has " << out.getNumElements();
  return success();
}

LogicalResult TransposeOp::verify() {
  auto in = shapeOf(getInput()), out = shapeOf(getResult());
  auto perm = getPermutation();
  if (perm.size() != in.size() || out.size() != in.size())
    return emitOpError("permutation of size ") << perm.size() << " for " << str(in) << " -> "
                                               << str(out);
  SmallVector<bool> seen(in.size(), false);
  for (size_t i = 0; i < perm.size(); ++i) {
    int64_t p = perm[i];
    if (p < 0 || p >= static_cast<int64_t>(in.size()) || seen[p])
      return emitOpError("permutation ") << str(perm) << " is not a permutation of 0.."
                                         << in.size() - 1;
    seen[p] = true;
    if (out[i] != in[p])
      return emitOpError("result ") << str(out) << " is not " << str(in) << " permuted by "
                                    << str(perm);
  }
  return success();
}

LogicalResult ConcatOp::verify() {
  if (getInputs().empty()) return emitOpError("needs at least one input");
  auto out = shapeOf(getResult());
  int64_t axis = getAxis(), rank = out.size();
  if (axis < 0 || axis >= rank) return emitOpError("axis ") << axis << " out of range for rank " << rank;
  int64_t total = 0;
  for (Value v : getInputs()) {
    auto s = shapeOf(v);
    if (static_cast<int64_t>(s.size()) != rank)
      return emitOpError("input ") << str(s) << " does not have the result's rank " << rank;
    for (int64_t d = 0; d < rank; ++d)
      if (d != axis && s[d] != out[d])
        return emitOpError("input ") << str(s) << " differs from result " << str(out)
                                     << " in dimension " << d;
    total += s[axis];
  }
  if (total != out[axis])
    return emitOpError("inputs add up to ") << total << " along axis " << axis << ", result has "
                                            << out[axis];
  return success();
}

/// pad and unpad: `padded` is `small` grown by low + high in every dimension.
static LogicalResult verifyPadding(Operation *op, ArrayRef<int64_t> small, ArrayRef<int64_t> padded,
                                   ArrayRef<int64_t> low, ArrayRef<int64_t> high, PadMode mode) {
  if (padded.size() != small.size() || low.size() != small.size() || high.size() != small.size())
    return op->emitOpError("low, high and both shapes must have one rank, got ")
           << str(small) << ", " << str(padded) << ", low " << str(low) << ", high " << str(high);
  for (size_t d = 0; d < small.size(); ++d) {
    if (low[d] < 0 || high[d] < 0) return op->emitOpError("negative padding in dimension ") << d;
    if (padded[d] != low[d] + small[d] + high[d])
      return op->emitOpError("dimension ") << d << ": " << low[d] << " + " << small[d] << " + " << high[d]
                                           << " is not " << padded[d];
    if (mode == PadMode::reflect && (low[d] >= small[d] || high[d] >= small[d]))
      return op->emitOpError("reflect padding ") << low[d] << "/" << high[d] << " in dimension " << d
                                                 << " needs more than " << small[d] << " elements";
  }
  return success();
}

LogicalResult PadOp::verify() {
  return verifyPadding(*this, shapeOf(getInput()), shapeOf(getResult()), getLow(), getHigh(), getMode());
}

LogicalResult UnpadOp::verify() {
  return verifyPadding(*this, shapeOf(getResult()), shapeOf(getInput()), getLow(), getHigh(), getMode());
}

LogicalResult SliceOp::verify() {
  auto in = shapeOf(getInput()), out = shapeOf(getResult());
  auto starts = getStarts(), strides = getStrides();
  if (out.size() != in.size() || starts.size() != in.size() || strides.size() != in.size())
    return emitOpError("starts, strides and result must have the input's rank ") << in.size();
  for (size_t d = 0; d < in.size(); ++d) {
    if (strides[d] < 1) return emitOpError("stride ") << strides[d] << " in dimension " << d;
    if (out[d] < 1) continue;
    int64_t last = starts[d] + (out[d] - 1) * strides[d];
    if (starts[d] < 0 || last >= in[d])
      return emitOpError("dimension ") << d << ": elements " << starts[d] << ".." << last
                                       << " lie outside [0," << in[d] << ")";
  }
  return success();
}

LogicalResult MatmulOp::verify() {
  auto a = shapeOf(getLhs()), b = shapeOf(getRhs()), c = shapeOf(getResult());
  auto fail = [&](StringRef why) {
    return emitOpError(why) << ": " << str(a) << " x " << str(b) << " -> " << str(c);
  };
  if (a.size() != b.size() || a.size() != c.size() || (a.size() != 2 && a.size() != 3))
    return fail("operands must both be 2-D or both 3-D");
  size_t r = a.size();
  if (r == 3 && (a[0] != b[0] || a[0] != c[0])) return fail("batch dimensions differ");
  if (a[r - 1] != b[r - 2]) return fail("inner dimensions differ");
  if (c[r - 2] != a[r - 2] || c[r - 1] != b[r - 1]) return fail("result shape is wrong");
  return success();
}

// Shared by reduce_sum, reduce_mean and reduce_max.
static LogicalResult verifyReduce(Operation *op, Value input, ArrayRef<int64_t> axes, Value result) {
  auto in = shapeOf(input), out = shapeOf(result);
  SmallVector<int64_t> kept;
  int64_t prev = -1;
  for (int64_t a : axes) {
    if (a <= prev || a >= static_cast<int64_t>(in.size()))
      return op->emitOpError("axes ") << str(axes) << " must be sorted, distinct and below rank "
                                      << in.size();
    prev = a;
  }
  for (int64_t d = 0; d < static_cast<int64_t>(in.size()); ++d)
    if (!llvm::is_contained(axes, d)) kept.push_back(in[d]);
  if (ArrayRef<int64_t>(kept) != out)
    return op->emitOpError("reducing ") << str(in) << " over " << str(axes) << " gives "
                                        << str(kept) << ", not " << str(out);
  return success();
}

LogicalResult ReduceSumOp::verify() { return verifyReduce(*this, getInput(), getAxes(), getResult()); }
LogicalResult ReduceMeanOp::verify() { return verifyReduce(*this, getInput(), getAxes(), getResult()); }
LogicalResult ReduceMaxOp::verify() { return verifyReduce(*this, getInput(), getAxes(), getResult()); }

LogicalResult CompareOp::verify() {
  if (shapeOf(getLhs()) != shapeOf(getResult()))
    return emitOpError("result ") << str(shapeOf(getResult())) << " differs from operands " << str(shapeOf(getLhs()));
  return success();
}

LogicalResult SelectOp::verify() {
  if (shapeOf(getCond()) != shapeOf(getResult()))
    return emitOpError("condition ") << str(shapeOf(getCond())) << " differs from values " << str(shapeOf(getResult()));
  return success();
}

LogicalResult OneHotOp::verify() {
  auto l = shapeOf(getLabels()), r = shapeOf(getResult());
  if (r.size() != l.size() + 1 || r.drop_back() != l)
    return emitOpError("labels ") << str(l) << " need a result of their shape plus a class axis, got " << str(r);
  return success();
}

LogicalResult ArgmaxOp::verify() {
  auto in = shapeOf(getInput()), out = shapeOf(getResult());
  int64_t axis = getAxis();
  if (axis < 0 || axis >= static_cast<int64_t>(in.size()))
    return emitOpError("axis ") << axis << " out of range for " << str(in);
  SmallVector<int64_t> kept(in.begin(), in.end());
  kept.erase(kept.begin() + axis);
  if (ArrayRef<int64_t>(kept) != out)
    return emitOpError("argmax of ") << str(in) << " over axis " << axis << " gives " << str(kept) << ", not "
                                     << str(out);
  return success();
}

LogicalResult InsertSliceOp::verify() {
  auto src = shapeOf(getSource()), dst = shapeOf(getDest());
  if (shapeOf(getResult()) != dst) return emitOpError("result must have the destination's shape");
  auto starts = getStarts(), strides = getStrides();
  if (src.size() != dst.size() || starts.size() != dst.size() || strides.size() != dst.size())
    return emitOpError("source, starts and strides must have the destination's rank ") << dst.size();
  for (size_t d = 0; d < dst.size(); ++d) {
    int64_t last = starts[d] + (src[d] - 1) * strides[d];
    if (strides[d] < 1 || starts[d] < 0 || last >= dst[d])
      return emitOpError("dimension ") << d << ": elements " << starts[d] << ".." << last << " lie outside [0,"
                                       << dst[d] << ")";
  }
  return success();
}

// Shared by conv2d and its two gradients: (input, filter, output) shapes agree.
static LogicalResult verifyConv(Operation *op, ArrayRef<int64_t> x, ArrayRef<int64_t> w, ArrayRef<int64_t> y,
                                ArrayRef<int64_t> strides, ArrayRef<int64_t> dilations, int64_t groups) {
  auto fail = [&](StringRef why) {
    return op->emitOpError(why) << ": input " << str(x) << ", filter " << str(w) << ", output " << str(y)
                                << ", strides " << str(strides) << ", dilations " << str(dilations) << ", groups "
                                << groups;
  };
  if (x.size() != 4 || w.size() != 4 || y.size() != 4) return fail("needs 4-D NCHW/OIHW tensors");
  if (strides.size() != 2 || dilations.size() != 2 || strides[0] < 1 || strides[1] < 1 || dilations[0] < 1 ||
      dilations[1] < 1)
    return fail("needs two positive strides and dilations");
  if (groups < 1 || x[1] % groups || w[0] % groups) return fail("channels are not divisible by groups");
  if (w[1] * groups != x[1]) return fail("filter input channels times groups differ from the input's channels");
  int64_t oh = (x[2] - dilations[0] * (w[2] - 1) - 1) / strides[0] + 1;
  int64_t ow = (x[3] - dilations[1] * (w[3] - 1) - 1) / strides[1] + 1;
  if (oh < 1 || ow < 1) return fail("the filter is larger than the input");
  if (y[0] != x[0] || y[1] != w[0] || y[2] != oh || y[3] != ow)
    return fail(("output should be " + str({x[0], w[0], oh, ow})).c_str());
  return success();
}

LogicalResult Conv2dOp::verify() {
  return verifyConv(*this, shapeOf(getLhs()), shapeOf(getRhs()), shapeOf(getResult()), getStrides(), getDilations(),
                    getGroups());
}
LogicalResult Conv2dInputGradOp::verify() {
  return verifyConv(*this, shapeOf(getResult()), shapeOf(getRhs()), shapeOf(getLhs()), getStrides(), getDilations(),
                    getGroups());
}
LogicalResult Conv2dFilterGradOp::verify() {
  return verifyConv(*this, shapeOf(getLhs()), shapeOf(getResult()), shapeOf(getRhs()), getStrides(), getDilations(),
                    getGroups());
}

void AllReduceOp::build(OpBuilder &b, OperationState &st, ValueRange values) {
  st.addOperands(values);
  for (Value v : values)
    if (isa<RankedTensorType>(v.getType())) st.addTypes(v.getType());
}

LogicalResult AllReduceOp::verify() {
  bool tensors = llvm::all_of(getValues(), [](Value v) { return isa<RankedTensorType>(v.getType()); });
  bool buffers = llvm::all_of(getValues(), [](Value v) { return isa<MemRefType>(v.getType()); });
  if (!tensors && !buffers) return emitOpError("takes tensors or buffers, not both");
  return success(); // results against operands: DestinationStyleOpInterface's verifier
}

/// On buffers it reads and overwrites each one (and must stay where it is);
/// on tensors it is a value like any other.
void AllReduceOp::getEffects(SmallVectorImpl<SideEffects::EffectInstance<MemoryEffects::Effect>> &effects) {
  for (OpOperand &operand : getValuesMutable())
    if (isa<MemRefType>(operand.get().getType())) {
      effects.emplace_back(MemoryEffects::Read::get(), &operand, SideEffects::DefaultResource::get());
      effects.emplace_back(MemoryEffects::Write::get(), &operand, SideEffects::DefaultResource::get());
    }
}
