// Which buffer a memref value is a view of: the rule that -loom-plan-arena
// (lifetimes through views), -loom-outline-kernels (which arguments may
// overlap) and -loom-cpu-ukernels (a view's address) share.
#pragma once

#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

namespace loom {

/// The buffer `op` makes a view of (a view-like op's source, or a
/// memref.cast's), or null when `op` is not a view.
inline mlir::Value viewedBuffer(mlir::Operation *op) {
  if (auto view = mlir::dyn_cast<mlir::ViewLikeOpInterface>(op)) return view.getViewSource();
  if (auto cast = mlir::dyn_cast<mlir::memref::CastOp>(op)) return cast.getSource();
  return {};
}

/// The buffer `v` starts in: an allocation, a function argument, or a buffer
/// of the arena (a memref.view, which stops the walk: two of them live at the
/// same op never overlap, since -loom-plan-arena gave buffers with
/// overlapping lifetimes disjoint bytes).
inline mlir::Value rootBuffer(mlir::Value v) {
  while (mlir::Operation *def = v.getDefiningOp()) {
    if (mlir::isa<mlir::memref::ViewOp>(def)) break;
    mlir::Value source = viewedBuffer(def);
    if (!source) break;
    v = source;
  }
  return v;
}

} // namespace loom
