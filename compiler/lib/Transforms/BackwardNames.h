// The names -loom-autodiff gives the ops it adds ("gradient of OP" and
// "<optimizer> update of PARAM", which error messages and the NaN guard
// show), read back by -loom-plan-arena to find where a train step's backward
// pass starts after fusion and bufferization have rewritten its ops.
#pragma once

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Location.h"

#include <string>

namespace loom {

inline constexpr llvm::StringLiteral kGradientOf = "gradient of ", kUpdateOf = " update of ";

inline std::string gradientName(llvm::StringRef op) { return (kGradientOf + op).str(); }
inline std::string updateName(llvm::StringRef optimizer, llvm::StringRef param) {
  return (optimizer + kUpdateOf + param).str();
}

/// Whether `loc`, or a location it fuses or wraps, is one of those names.
inline bool isBackwardLoc(mlir::Location loc) {
  return loc->walk([](mlir::Location l) {
               auto n = mlir::dyn_cast<mlir::NameLoc>(l);
               llvm::StringRef s = n ? n.getName().getValue() : "";
               return s.starts_with(kGradientOf) || s.contains(kUpdateOf) ? mlir::WalkResult::interrupt()
                                                                           : mlir::WalkResult::advance();
             })
      .wasInterrupted();
}

} // namespace loom
