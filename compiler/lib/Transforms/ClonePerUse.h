// Undoing CSE for one value: the rule that -loom-fuse-elementwise (a
// broadcast for each elementwise reader) and -loom-fresh-inits (a fill for
// each output it starts) share.
#pragma once

#include "mlir/IR/Builders.h"
#include "llvm/ADT/STLExtras.h"

namespace loom {

/// Gives each use of `op`'s one result that `wants` accepts a value of its
/// own, made by `clone(builder)` just before the use's owner; when every use
/// is wanted, the original keeps the last.
template <class Wants, class Clone> void clonePerUse(mlir::Operation *op, Wants wants, Clone clone) {
  mlir::Value result = op->getResult(0);
  llvm::SmallVector<mlir::OpOperand *> uses;
  for (mlir::OpOperand &use : result.getUses())
    if (wants(use)) uses.push_back(&use);
  if (uses.size() == size_t(llvm::range_size(result.getUses()))) uses.pop_back();
  mlir::OpBuilder b(op->getContext());
  for (mlir::OpOperand *use : uses) {
    b.setInsertionPoint(use->getOwner());
    use->set(clone(b));
  }
}

} // namespace loom
