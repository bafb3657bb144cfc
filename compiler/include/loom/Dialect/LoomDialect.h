#pragma once
#include "mlir/IR/Dialect.h"

#include "loom/Dialect/LoomDialect.h.inc"
