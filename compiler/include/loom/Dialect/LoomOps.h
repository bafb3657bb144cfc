#pragma once
#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/Interfaces/DestinationStyleOpInterface.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "loom/Dialect/LoomDialect.h"
#include "loom/Dialect/LoomEnums.h.inc"
#include "loom/Dialect/LoomInterfaces.h.inc"

#define GET_OP_CLASSES
#include "loom/Dialect/LoomOps.h.inc"

namespace loom {
/// Builders the gradient rules and the optimizers share (LoomGradients.cpp).
/// A constant tensor of `type` filled with `value`.
mlir::Value splat(mlir::OpBuilder &b, mlir::Location loc, mlir::Type type, double value);
/// `x` broadcast to `type` (no op when the shapes agree).
mlir::Value broadcastTo(mlir::OpBuilder &b, mlir::Location loc, mlir::Value x, mlir::Type type);
/// Sums `g` down to the shape of `type`: the inverse of numpy broadcasting.
mlir::Value sumToShape(mlir::OpBuilder &b, mlir::Location loc, mlir::Value g, mlir::Type type);
} // namespace loom
