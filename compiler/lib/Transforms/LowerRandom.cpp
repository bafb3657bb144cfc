// -loom-to-linalg: loom.random_uniform as Philox 4x32-10 per element, with the runtime's
// constants (loom/rt/philox.hpp), so compiled dropout masks match loom::rt::Philox4x32.
#include "LoomToLinalg.h"
#include "loom/rt/philox.hpp"

using namespace mlir;
using namespace loom;
using namespace loom::lowering;

/// Philox 4x32-10 per element, as loom::rt::Philox4x32::uniform (runtime/include/loom/rt/philox.hpp).
LogicalResult loom::lowering::lower(RandomUniformOp op, RandomUniformOp::Adaptor adaptor, ConversionPatternRewriter &rw) {
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
      Value p0 = mul(rt::Philox4x32::M0, ctr[0]), p1 = mul(rt::Philox4x32::M1, ctr[2]);
      Value n0 = b.create<arith::XOrIOp>(l, b.create<arith::XOrIOp>(l, hi(p1), ctr[1]), key[0]);
      Value n2 = b.create<arith::XOrIOp>(l, b.create<arith::XOrIOp>(l, hi(p0), ctr[3]), key[1]);
      ctr[0] = n0, ctr[1] = lo(p1), ctr[2] = n2, ctr[3] = lo(p0);
      key[0] = b.create<arith::AddIOp>(l, key[0], c32(rt::Philox4x32::W0));
      key[1] = b.create<arith::AddIOp>(l, key[1], c32(rt::Philox4x32::W1));
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

