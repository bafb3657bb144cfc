// What the CPU passes that call the runtime's C entry points share
// (-loom-cpu-ukernels, -loom-parallel-kernels): an entry's declaration, made
// once per module, and a buffer's aligned pointer as an !llvm.ptr.
#pragma once

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/BuiltinOps.h"

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

} // namespace loom
