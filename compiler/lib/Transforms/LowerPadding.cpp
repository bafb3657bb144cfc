// -loom-to-linalg: loom.pad and its gradient loom.unpad, each one loop nest (zeros or reflect).
#include "LoomToLinalg.h"

using namespace mlir;
using namespace loom;
using namespace loom::lowering;

/// loom.pad: one loop nest over the result; each element reads the input at its
/// source index (reflected, or zero outside the input). One kernel on a GPU.
LogicalResult loom::lowering::lower(PadOp op, PadOp::Adaptor adaptor, ConversionPatternRewriter &rw) {
  auto out = tensorType(op.getResult());
  auto in = tensorType(op.getInput());
  bool reflect = op.getMode() == PadMode::reflect;
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

/// loom.unpad (pad's gradient): with zeros, the slice at `low`; with reflect,
/// one loop nest over the result summing the padded elements taken from each
/// one: per dimension the element itself and, where it has one, its mirror
/// image before and after the input (3^k candidates for k padded dimensions).
LogicalResult loom::lowering::lower(UnpadOp op, UnpadOp::Adaptor adaptor, ConversionPatternRewriter &rw) {
  auto out = tensorType(op.getResult());
  Value g = adaptor.getInput();
  if (op.getMode() == PadMode::zeros) {
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

