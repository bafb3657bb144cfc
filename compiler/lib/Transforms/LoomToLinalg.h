// What -loom-to-linalg's lowerings share: the one generic builder every
// lowering goes through, and the declarations of the per-op lowering functions.
#pragma once

#include "loom/Dialect/LoomOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/AffineMap.h"
#include "mlir/Transforms/DialectConversion.h"

namespace loom::lowering {

using BodyFn = llvm::function_ref<mlir::Value(mlir::OpBuilder &, mlir::Location, mlir::ValueRange)>;

inline mlir::RankedTensorType tensorType(mlir::Value v) { return mlir::cast<mlir::RankedTensorType>(v.getType()); }

/// A linalg.generic writing a fresh tensor of `resultType` (or into `init`);
/// `inputMaps` index the inputs from the result's iteration space (all
/// parallel unless `iterators` says; the output through `outMap`, identity by default).
mlir::Value buildGeneric(mlir::OpBuilder &b, mlir::Location loc, mlir::RankedTensorType resultType,
                         mlir::ValueRange inputs, llvm::ArrayRef<mlir::AffineMap> inputMaps, BodyFn body,
                         mlir::Value init = {}, mlir::AffineMap outMap = {},
                         llvm::ArrayRef<mlir::utils::IteratorType> iterators = {});
/// The constant 0 of element type `t`.
mlir::Value zeroOf(mlir::OpBuilder &b, mlir::Location loc, mlir::Type t);
/// A tensor of `type` filled with `value` (linalg.fill of tensor.empty).
mlir::Value filled(mlir::OpBuilder &b, mlir::Location loc, mlir::RankedTensorType type, mlir::TypedAttr value);

/// One `lower(Op, Op::Adaptor, ConversionPatternRewriter &)` per op whose
/// `lowering` in LoomOps.td is "Lower", generated from it; each is defined in
/// LoomToLinalg.cpp or in the file of its kind (LowerPadding.cpp,
/// LowerConvolutions.cpp, LowerRandom.cpp).
#define LOOM_LOWERING_DECLS
#include "loom/Dialect/LoomLowerings.inc"

} // namespace loom::lowering
