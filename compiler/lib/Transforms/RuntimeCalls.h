// What the CPU passes that call the runtime's C entry points share
// (-loom-cpu-ukernels, -loom-parallel-kernels, -loom-check-numerics): an
// entry's declaration, made once per module, a buffer's aligned pointer as an
// !llvm.ptr, and a static view's layout and first element's address.
#pragma once

#include "BufferViews.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/BuiltinOps.h"

#include <optional>

namespace loom {

/// The private declaration of the runtime's `name` taking `args` (no results),
/// added at the module's end the first time it is asked for.
inline mlir::func::FuncOp runtimeEntry(mlir::ModuleOp module, llvm::StringRef name, mlir::TypeRange args) {
  if (auto entry = module.lookupSymbol<mlir::func::FuncOp>(name)) return entry;
  auto b = mlir::OpBuilder::atBlockEnd(module.getBody());
  auto entry = b.create<mlir::func::FuncOp>(module.getLoc(), name, b.getFunctionType(args, {}));
  entry.setPrivate();
  return entry;
}

/// The aligned pointer of `buffer` (a memref) as an !llvm.ptr.
inline mlir::Value alignedPointer(mlir::OpBuilder &b, mlir::Location loc, mlir::Value buffer) {
  mlir::Value address = b.create<mlir::memref::ExtractAlignedPointerAsIndexOp>(loc, buffer);
  return b.create<mlir::LLVM::IntToPtrOp>(loc, mlir::LLVM::LLVMPointerType::get(b.getContext()),
                                          b.create<mlir::arith::IndexCastOp>(loc, b.getI64Type(), address));
}

/// A static f32 memref's element offset and strides.
struct Layout {
  int64_t offset;
  llvm::SmallVector<int64_t> strides;
  llvm::ArrayRef<int64_t> shape;
};
/// `v`'s layout if it is an f32 memref of static shape, offset and strides
/// (and of rank `rank`, unless that is -1), else nothing.
inline std::optional<Layout> layoutOf(mlir::Value v, int64_t rank = -1) {
  auto t = mlir::dyn_cast<mlir::MemRefType>(v.getType());
  if (!t || !t.getElementType().isF32() || (rank >= 0 && t.getRank() != rank) || !t.hasStaticShape()) return std::nullopt;
  Layout l{0, {}, t.getShape()};
  if (mlir::failed(mlir::getStridesAndOffset(t, l.strides, l.offset)) || mlir::ShapedType::isDynamic(l.offset) ||
      llvm::any_of(l.strides, mlir::ShapedType::isDynamic))
    return std::nullopt;
  return l;
}

/// The address of a view's first element: the aligned pointer of the buffer
/// it starts in plus its static offset. A buffer of the arena
/// (-loom-plan-arena) is a memref.view at a byte shift: expand-strided-metadata
/// folds the aligned pointer of any view to its source's, so the shift is
/// added here.
inline mlir::Value pointerTo(mlir::OpBuilder &b, mlir::Location loc, mlir::Value m, int64_t offset) {
  mlir::Type i64 = b.getI64Type(), ptr = mlir::LLVM::LLVMPointerType::get(b.getContext());
  mlir::Value base = m, shift;
  if (auto arena = rootBuffer(m).getDefiningOp<mlir::memref::ViewOp>())
    base = arena.getSource(), shift = arena.getByteShift();
  mlir::Value p = alignedPointer(b, loc, base);
  if (shift)
    p = b.create<mlir::LLVM::GEPOp>(loc, ptr, b.getI8Type(), p,
                                    mlir::ValueRange{b.create<mlir::arith::IndexCastOp>(loc, i64, shift)});
  return b.create<mlir::LLVM::GEPOp>(loc, ptr, b.getF32Type(), p,
                                     llvm::ArrayRef<mlir::LLVM::GEPArg>{mlir::LLVM::GEPArg(offset)});
}

} // namespace loom
