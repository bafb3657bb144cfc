// -loom-linalg-to-gpu: each linalg op on buffers becomes one gpu.launch.
#include "loom/Transforms/Passes.h"

#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/PatternMatch.h"

namespace loom {
#define GEN_PASS_DEF_LOOMLINALGTOGPU
#include "loom/Transforms/Passes.h.inc"
} // namespace loom

using namespace mlir;

namespace {

/// How a reduction's body combines a new value with the accumulator, when it
/// is `combiner(f(inputs), out)`: the kind gpu.all_reduce knows and the
/// combiner's neutral element.
struct Combiner {
  Operation *op;
  unsigned accOperand; // which operand of `op` is the accumulator
  gpu::AllReduceOperation kind;
  TypedAttr identity;
};

std::optional<Combiner> matchCombiner(linalg::GenericOp g) {
  if (g.getNumDpsInits() != 1) return std::nullopt;
  Block &body = g.getRegion().front();
  BlockArgument acc = g.getMatchingBlockArgument(g.getDpsInitOperand(0));
  Operation *op = body.getTerminator()->getOperand(0).getDefiningOp();
  if (!op || op->getBlock() != &body || op->getNumOperands() != 2 || !acc.hasOneUse() ||
      acc.getUses().begin()->getOwner() != op)
    return std::nullopt;
  unsigned accOperand = op->getOperand(0) == acc ? 0 : 1;
  Type t = acc.getType();
  auto f = [&](double v) -> TypedAttr { return FloatAttr::get(t, v); };
  constexpr double inf = std::numeric_limits<double>::infinity();
  using K = gpu::AllReduceOperation;
  if (isa<arith::AddFOp>(op)) return Combiner{op, accOperand, K::ADD, f(0)};
  if (isa<arith::MulFOp>(op)) return Combiner{op, accOperand, K::MUL, f(1)};
  if (isa<arith::MaximumFOp>(op)) return Combiner{op, accOperand, K::MAXIMUMF, f(-inf)};
  if (isa<arith::MinimumFOp>(op)) return Combiner{op, accOperand, K::MINIMUMF, f(inf)};
  if (isa<arith::AddIOp>(op)) return Combiner{op, accOperand, K::ADD, IntegerAttr::get(t, 0)};
  return std::nullopt;
}

/// A contraction C(I,J) += A(I,K) * B(K,J) over groups of loop dimensions: I
/// the parallel dimensions only A uses, J those only B uses, K the reductions.
/// A matmul in any layout has one dimension per group; a convolution is one
/// too (I = batch and output pixels, J = output channels, K = input channels
/// and kernel taps, A's map adding pixel and tap). f32, body mul + add.
struct Contraction {
  SmallVector<unsigned> i, j, k;
};

std::optional<Contraction> matchContraction(linalg::GenericOp g) {
  if (g.getNumDpsInputs() != 2 || g.getNumDpsInits() != 1 || g.getNumReductionLoops() == 0) return std::nullopt;
  Block &body = g.getRegion().front();
  if (!llvm::all_of(body.getArguments(), [](BlockArgument a) { return a.getType().isF32(); }) ||
      body.getOperations().size() != 3)
    return std::nullopt;
  auto mul = dyn_cast<arith::MulFOp>(&body.front());
  auto add = dyn_cast<arith::AddFOp>(mul ? mul->getNextNode() : nullptr);
  Value a = body.getArgument(0), b = body.getArgument(1), acc = body.getArgument(2);
  if (!mul || !add || body.getTerminator()->getOperand(0) != add.getResult() ||
      !((mul.getLhs() == a && mul.getRhs() == b) || (mul.getLhs() == b && mul.getRhs() == a)) ||
      !((add.getLhs() == mul.getResult() && add.getRhs() == acc) || (add.getRhs() == mul.getResult() && add.getLhs() == acc)))
    return std::nullopt;
  auto maps = g.getIndexingMapsArray();
  // The output is indexed by every parallel dimension, once each.
  if (!maps[2].isProjectedPermutation() || maps[2].getNumResults() != g.getNumParallelLoops()) return std::nullopt;
  Contraction c;
  for (auto [d, it] : llvm::enumerate(g.getIteratorTypesArray())) {
    if (it == utils::IteratorType::reduction) {
      c.k.push_back(d);
      continue;
    }
    bool inA = maps[0].isFunctionOfDim(d), inB = maps[1].isFunctionOfDim(d);
    if (inA == inB) return std::nullopt; // a batch or a broadcast dimension
    (inA ? c.i : c.j).push_back(d);
  }
  if (c.i.empty() || c.j.empty()) return std::nullopt;
  return c;
}

struct KernelBuilder {
  OpBuilder &b;
  Location loc;
  linalg::GenericOp op;

  Value index(int64_t v) { return b.create<arith::ConstantIndexOp>(loc, v); }

  /// Row-major coordinates of `linear` in a box of `extents`.
  SmallVector<Value> delinearize(Value linear, ArrayRef<int64_t> extents) {
    SmallVector<Value> ivs(extents.size());
    for (int i = static_cast<int>(extents.size()) - 1; i >= 0; --i) {
      if (extents[i] == 1) {
        ivs[i] = index(0);
        continue;
      }
      if (i == 0) {
        ivs[i] = linear;
        break;
      }
      Value e = index(extents[i]);
      ivs[i] = b.create<arith::RemUIOp>(loc, linear, e);
      linear = b.create<arith::DivUIOp>(loc, linear, e);
    }
    return ivs;
  }

  SmallVector<Value> indices(AffineMap map, ArrayRef<Value> ivs) {
    SmallVector<Value> idx;
    for (AffineExpr e : map.getResults()) {
      if (auto d = dyn_cast<AffineDimExpr>(e)) idx.push_back(ivs[d.getPosition()]);
      else if (auto c = dyn_cast<AffineConstantExpr>(e)) idx.push_back(index(c.getValue()));
      else idx.push_back(b.create<affine::AffineApplyOp>(loc, AffineMap::get(map.getNumDims(), 0, e), ivs));
    }
    return idx;
  }

  Value load(OpOperand *operand, ArrayRef<Value> ivs) {
    if (!isa<MemRefType>(operand->get().getType())) return operand->get(); // a scalar (linalg.fill's value)
    return b.create<memref::LoadOp>(loc, operand->get(), indices(op.getMatchingIndexingMap(operand), ivs));
  }

  void store(Value v, OpOperand *operand, ArrayRef<Value> ivs) {
    b.create<memref::StoreOp>(loc, v, operand->get(), indices(op.getMatchingIndexingMap(operand), ivs));
  }

  /// The body at one point of the iteration space; `accs` replaces the
  /// outputs' current values (else they are loaded). Returns the yielded values.
  SmallVector<Value> point(ArrayRef<Value> ivs, ValueRange accs = {}) {
    IRMapping map;
    for (OpOperand *in : op.getDpsInputOperands()) {
      BlockArgument arg = op.getMatchingBlockArgument(in);
      if (!arg.use_empty()) map.map(arg, load(in, ivs));
    }
    for (auto [i, init] : llvm::enumerate(op.getDpsInitsMutable())) {
      BlockArgument arg = op.getMatchingBlockArgument(&init);
      if (!arg.use_empty()) map.map(arg, accs.empty() ? load(&init, ivs) : accs[i]);
    }
    Block &body = op.getRegion().front();
    for (Operation &o : body.without_terminator()) {
      if (auto idx = dyn_cast<linalg::IndexOp>(o)) map.map(idx.getResult(), ivs[idx.getDim()]);
      else b.clone(o, map);
    }
    SmallVector<Value> out;
    for (Value v : body.getTerminator()->getOperands()) out.push_back(map.lookupOrDefault(v));
    return out;
  }

  /// Loop-order coordinates from the parallel and the reduction ones.
  SmallVector<Value> merge(ArrayRef<unsigned> parDims, ArrayRef<Value> par, ArrayRef<unsigned> redDims,
                           ArrayRef<Value> red) {
    SmallVector<Value> ivs(parDims.size() + redDims.size());
    for (auto [d, v] : llvm::zip(parDims, par)) ivs[d] = v;
    for (auto [d, v] : llvm::zip(redDims, red)) ivs[d] = v;
    return ivs;
  }

  /// A launch after `token` on the stream; `token` becomes the launch's.
  gpu::LaunchOp launch(int64_t blocks, int64_t threads, Value &token, TypeRange shared = {}) {
    Value one = index(1);
    auto l = b.create<gpu::LaunchOp>(loc, index(blocks), one, one, index(threads), one, one, Value(),
                                     gpu::AsyncTokenType::get(b.getContext()), ValueRange{token}, shared);
    token = l.getAsyncToken();
    b.setInsertionPointToEnd(&l.getBody().front());
    b.create<gpu::TerminatorOp>(loc);
    b.setInsertionPointToStart(&l.getBody().front());
    return l;
  }
};

int64_t product(ArrayRef<int64_t> v) {
  int64_t p = 1;
  for (int64_t x : v) p *= x;
  return p;
}

/// The loop ranges of `dims`.
SmallVector<int64_t> extentsOf(ArrayRef<int64_t> ranges, ArrayRef<unsigned> dims) {
  SmallVector<int64_t> e;
  for (unsigned d : dims) e.push_back(ranges[d]);
  return e;
}

struct LoomLinalgToGpuPass : loom::impl::LoomLinalgToGpuBase<LoomLinalgToGpuPass> {
  using LoomLinalgToGpuBase::LoomLinalgToGpuBase;

  void runOnOperation() override {
    func::FuncOp f = getOperation();
    IRRewriter rewriter(f.getContext());

    // Kernels cannot read host globals: constants get a device-visible copy.
    SmallVector<memref::GetGlobalOp> globals;
    f.walk([&](memref::GetGlobalOp g) { globals.push_back(g); });
    for (auto g : globals) {
      rewriter.setInsertionPointAfter(g);
      auto type = cast<MemRefType>(g.getType());
      Value copy = rewriter.create<memref::AllocOp>(g.getLoc(), type);
      rewriter.replaceAllUsesExcept(g, copy, rewriter.create<memref::CopyOp>(g.getLoc(), g, copy));
      f.walk([&](func::ReturnOp ret) {
        rewriter.setInsertionPoint(ret);
        rewriter.create<memref::DeallocOp>(g.getLoc(), copy);
      });
    }

    // Named ops and device-to-device copies become generics.
    SmallVector<Operation *> ops;
    f.walk([&](Operation *op) {
      if (isa<linalg::LinalgOp>(op) || isa<memref::CopyOp>(op)) ops.push_back(op);
    });
    for (Operation *op : ops) {
      rewriter.setInsertionPoint(op);
      if (auto copy = dyn_cast<memref::CopyOp>(op)) {
        if (copy.getSource().getDefiningOp<memref::GetGlobalOp>()) continue; // host to device-visible
        auto type = cast<MemRefType>(copy.getTarget().getType());
        AffineMap id = rewriter.getMultiDimIdentityMap(type.getRank());
        rewriter.create<linalg::GenericOp>(
            copy.getLoc(), TypeRange{}, ValueRange{copy.getSource()}, ValueRange{copy.getTarget()},
            ArrayRef<AffineMap>{id, id}, SmallVector<utils::IteratorType>(type.getRank(), utils::IteratorType::parallel),
            [](OpBuilder &b, Location loc, ValueRange args) { b.create<linalg::YieldOp>(loc, args[0]); });
        rewriter.eraseOp(copy);
      } else if (!isa<linalg::GenericOp>(op)) {
        if (failed(linalg::generalizeNamedOp(rewriter, cast<linalg::LinalgOp>(op)))) {
          op->emitError("loom-linalg-to-gpu: cannot generalize this op");
          return signalPassFailure();
        }
      }
    }

    // Kernels and constant uploads, in program order on one stream: each waits
    // for the previous one only (`async` tokens); the host waits once, before
    // returning. Host code in between only allocates and frees, which the
    // runtime orders with the stream.
    auto tokenType = gpu::AsyncTokenType::get(f.getContext());
    OpBuilder b = OpBuilder::atBlockBegin(&f.getBody().front());
    token = b.create<gpu::WaitOp>(f.getLoc(), tokenType, ValueRange{}).getAsyncToken();
    for (Operation &op : llvm::make_early_inc_range(f.getBody().front())) {
      if (auto g = dyn_cast<linalg::GenericOp>(op)) {
        if (failed(lower(g))) return signalPassFailure();
      } else if (auto copy = dyn_cast<memref::CopyOp>(op)) { // a constant's upload
        b.setInsertionPoint(copy);
        token = b.create<gpu::MemcpyOp>(copy.getLoc(), tokenType, ValueRange{token}, copy.getTarget(), copy.getSource())
                    .getAsyncToken();
        copy.erase();
      } else if (auto ret = dyn_cast<func::ReturnOp>(op)) {
        b.setInsertionPoint(ret);
        b.create<gpu::WaitOp>(ret.getLoc(), Type(), ValueRange{token});
      }
    }
    WalkResult nested = f.walk([&](linalg::LinalgOp op) {
      op.emitError("loom-linalg-to-gpu: expected linalg ops at the top level of the function");
      return WalkResult::interrupt();
    });
    if (nested.wasInterrupted()) return signalPassFailure();
  }

  Value token; // the last kernel or copy enqueued

  static constexpr int64_t kTile = 16;

  /// C(i,j) += sum_k A(i,k) B(k,j) in 16x16 output tiles, one block each: per
  /// 16-wide step of k, the block stages a tile of A and of B in shared memory
  /// (zero past the edges), then each thread accumulates its output from them.
  /// i, j and k are linear indices over their groups of loop dimensions.
  void lowerContraction(KernelBuilder &k, const Contraction &c, ArrayRef<int64_t> ranges) {
    OpBuilder &b = k.b;
    Location loc = k.loc;
    linalg::GenericOp g = k.op;
    SmallVector<int64_t> ei = extentsOf(ranges, c.i), ej = extentsOf(ranges, c.j), ek = extentsOf(ranges, c.k);
    int64_t M = product(ei), N = product(ej), K = product(ek), T = kTile;
    int64_t tilesN = llvm::divideCeil(N, T), tilesK = llvm::divideCeil(K, T);
    auto shared = MemRefType::get({T * T}, b.getF32Type(), AffineMap(),
                                  gpu::AddressSpaceAttr::get(b.getContext(), gpu::AddressSpace::Workgroup));
    auto l = k.launch(llvm::divideCeil(M, T) * tilesN, T * T, token, {shared, shared});
    Value shA = l.getWorkgroupAttributions()[0], shB = l.getWorkgroupAttributions()[1];
    Value tid = l.getThreadIds().x, bid = l.getBlockIds().x, cT = k.index(T), c0 = k.index(0);
    Value ty = b.create<arith::DivUIOp>(loc, tid, cT), tx = b.create<arith::RemUIOp>(loc, tid, cT);
    Value i = b.create<arith::AddIOp>(loc, b.create<arith::MulIOp>(loc, b.create<arith::DivUIOp>(loc, bid, k.index(tilesN)), cT), ty);
    Value j = b.create<arith::AddIOp>(loc, b.create<arith::MulIOp>(loc, b.create<arith::RemUIOp>(loc, bid, k.index(tilesN)), cT), tx);
    auto lt = [&](Value x, int64_t n) { return b.create<arith::CmpIOp>(loc, arith::CmpIPredicate::ult, x, k.index(n)); };
    Value inside = b.create<arith::AndIOp>(loc, lt(i, M), lt(j, N));
    Value zero = b.create<arith::ConstantOp>(loc, b.getF32FloatAttr(0));
    // Loop coordinates from linear i, j, k (a group left out is at 0).
    auto ivs = [&](Value iv, Value jv, Value kv) {
      SmallVector<Value> v(ranges.size(), c0);
      auto place = [&](Value lin, ArrayRef<unsigned> dims, ArrayRef<int64_t> ext) {
        if (!lin) return;
        for (auto [d, x] : llvm::zip(dims, k.delinearize(lin, ext))) v[d] = x;
      };
      place(iv, c.i, ei), place(jv, c.j, ej), place(kv, c.k, ek);
      return v;
    };
    // A value of `operand` at `at`, or 0 where `cond` is false.
    auto loadOr0 = [&](Value cond, OpOperand *operand, auto at) {
      auto ifOp = b.create<scf::IfOp>(loc, TypeRange{b.getF32Type()}, cond, /*withElseRegion=*/true);
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(&ifOp.getThenRegion().front());
      b.create<scf::YieldOp>(loc, k.load(operand, at()));
      b.setInsertionPointToStart(&ifOp.getElseRegion().front());
      b.create<scf::YieldOp>(loc, zero);
      return ifOp.getResult(0);
    };
    OpOperand *A = g.getDpsInputOperand(0), *B = g.getDpsInputOperand(1), *C = g.getDpsInitOperand(0);
    Value init = loadOr0(inside, C, [&] { return ivs(i, j, Value()); });
    auto tiles = b.create<scf::ForOp>(loc, c0, k.index(tilesK), k.index(1), ValueRange{init});
    {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(tiles.getBody());
      Value k0 = b.create<arith::MulIOp>(loc, tiles.getInductionVar(), cT);
      Value ka = b.create<arith::AddIOp>(loc, k0, tx), kb = b.create<arith::AddIOp>(loc, k0, ty);
      Value a = loadOr0(b.create<arith::AndIOp>(loc, lt(i, M), lt(ka, K)), A, [&] { return ivs(i, Value(), ka); });
      b.create<memref::StoreOp>(loc, a, shA, tid);
      Value bv = loadOr0(b.create<arith::AndIOp>(loc, lt(kb, K), lt(j, N)), B, [&] { return ivs(Value(), j, kb); });
      b.create<memref::StoreOp>(loc, bv, shB, tid);
      b.create<gpu::BarrierOp>(loc);
      auto inner = b.create<scf::ForOp>(loc, c0, cT, k.index(1), tiles.getRegionIterArgs());
      {
        OpBuilder::InsertionGuard guard2(b);
        b.setInsertionPointToStart(inner.getBody());
        Value kk = inner.getInductionVar();
        Value x = b.create<memref::LoadOp>(loc, shA, ValueRange{b.create<arith::AddIOp>(loc, b.create<arith::MulIOp>(loc, ty, cT), kk)});
        Value y = b.create<memref::LoadOp>(loc, shB, ValueRange{b.create<arith::AddIOp>(loc, b.create<arith::MulIOp>(loc, kk, cT), tx)});
        // The generic's own multiply-add (with its fastmath flags).
        Block &body = g.getRegion().front();
        IRMapping map;
        map.map(body.getArgument(0), x), map.map(body.getArgument(1), y), map.map(body.getArgument(2), inner.getRegionIterArgs()[0]);
        for (Operation &op : body.without_terminator()) b.clone(op, map);
        b.create<scf::YieldOp>(loc, map.lookup(body.getTerminator()->getOperand(0)));
      }
      b.create<gpu::BarrierOp>(loc);
      b.create<scf::YieldOp>(loc, inner.getResults());
    }
    auto store = b.create<scf::IfOp>(loc, inside, /*withElseRegion=*/false);
    b.setInsertionPointToStart(&store.getThenRegion().front());
    k.store(tiles.getResult(0), C, ivs(i, j, Value()));
  }

  LogicalResult lower(linalg::GenericOp g) {
    if (!g.hasPureBufferSemantics()) return g.emitError("loom-linalg-to-gpu: expected a linalg op on buffers");
    SmallVector<int64_t> ranges = g.getStaticLoopRanges();
    if (llvm::any_of(ranges, ShapedType::isDynamic)) return g.emitError("loom-linalg-to-gpu: dynamic loop bounds");

    SmallVector<unsigned> parDims, redDims;
    for (auto [d, it] : llvm::enumerate(g.getIteratorTypesArray()))
      (it == utils::IteratorType::parallel ? parDims : redDims).push_back(d);
    SmallVector<int64_t> parExt = extentsOf(ranges, parDims), redExt = extentsOf(ranges, redDims);
    int64_t P = product(parExt), R = product(redExt);

    OpBuilder b(g);
    KernelBuilder k{b, g.getLoc(), g};
    auto combiner = R > 1 ? matchCombiner(g) : std::nullopt;

    if (combiner && R >= 64 && P < 32768) {
      // One block per output: strided partial results, then a block-wide reduction.
      int64_t threads = std::clamp<int64_t>(llvm::bit_floor(static_cast<uint64_t>(R / 4)), 32, 256);
      auto l = k.launch(P, threads, token);
      Value tid = l.getThreadIds().x;
      SmallVector<Value> par = k.delinearize(l.getBlockIds().x, parExt);
      Value init = b.create<arith::ConstantOp>(k.loc, combiner->identity);
      auto loop = b.create<scf::ForOp>(k.loc, tid, k.index(R), k.index(threads), ValueRange{init});
      {
        OpBuilder::InsertionGuard guard(b);
        b.setInsertionPointToStart(loop.getBody());
        auto red = k.delinearize(loop.getInductionVar(), redExt);
        auto v = k.point(k.merge(parDims, par, redDims, red), loop.getRegionIterArgs());
        b.create<scf::YieldOp>(k.loc, v);
      }
      Value total = b.create<gpu::AllReduceOp>(
          k.loc, loop.getResult(0), gpu::AllReduceOperationAttr::get(b.getContext(), combiner->kind), true);
      Value first = b.create<arith::CmpIOp>(k.loc, arith::CmpIPredicate::eq, tid, k.index(0));
      auto ifOp = b.create<scf::IfOp>(k.loc, first, /*withElseRegion=*/false);
      b.setInsertionPointToStart(&ifOp.getThenRegion().front());
      SmallVector<Value> red(redExt.size(), k.index(0));
      auto ivs = k.merge(parDims, par, redDims, red);
      OpOperand *out = g.getDpsInitOperand(0);
      Value old = k.load(out, ivs);
      Operation *c = b.clone(*combiner->op);
      c->setOperand(combiner->accOperand, old);
      c->setOperand(1 - combiner->accOperand, total);
      k.store(c->getResult(0), out, ivs);
      g.erase();
      return success();
    }

    // Many outputs of a contraction (a large matmul or convolution): shared-memory tiles.
    auto extent = [&](ArrayRef<unsigned> dims) { return product(extentsOf(ranges, dims)); };
    if (auto c = matchContraction(g); c && extent(c->i) >= kTile && extent(c->j) >= kTile && R >= kTile) {
      lowerContraction(k, *c, ranges);
      g.erase();
      return success();
    }

    // One thread per point (elementwise) or per output (other reductions).
    int64_t threads = std::min<int64_t>(blockSize, llvm::PowerOf2Ceil(std::max<int64_t>(P, 32)));
    auto l = k.launch(llvm::divideCeil(P, threads), threads, token);
    Value gid = b.create<arith::AddIOp>(k.loc, b.create<arith::MulIOp>(k.loc, l.getBlockIds().x, k.index(threads)),
                                        l.getThreadIds().x);
    Value inside = b.create<arith::CmpIOp>(k.loc, arith::CmpIPredicate::ult, gid, k.index(P));
    auto ifOp = b.create<scf::IfOp>(k.loc, inside, /*withElseRegion=*/false);
    b.setInsertionPointToStart(&ifOp.getThenRegion().front());
    SmallVector<Value> par = k.delinearize(gid, parExt);
    SmallVector<Value> zeros(redExt.size(), k.index(0));
    auto outIvs = k.merge(parDims, par, redDims, zeros);
    SmallVector<Value> results;
    if (R == 1 || redDims.empty()) {
      results = k.point(outIvs);
    } else {
      SmallVector<Value> accs;
      for (OpOperand &init : g.getDpsInitsMutable()) accs.push_back(k.load(&init, outIvs));
      auto loop = b.create<scf::ForOp>(k.loc, k.index(0), k.index(R), k.index(1), accs);
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(loop.getBody());
      auto red = k.delinearize(loop.getInductionVar(), redExt);
      b.create<scf::YieldOp>(k.loc, k.point(k.merge(parDims, par, redDims, red), loop.getRegionIterArgs()));
      b.setInsertionPointAfter(loop);
      results = loop.getResults();
    }
    for (auto [v, init] : llvm::zip(results, g.getDpsInitsMutable())) k.store(v, &init, outIvs);
    g.erase();
    return success();
  }
};

} // namespace
