// loom-opt: parse, verify, print and transform `loom` IR with any loom or
// upstream MLIR pass (the lit tests drive it).
#include "loom/Dialect/LoomOps.h"
#include "loom/Transforms/Passes.h"

#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::registerAllPasses();
  loom::registerLoomPasses();
  mlir::DialectRegistry registry;
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  mlir::registerAllToLLVMIRTranslations(registry); // gpu-module-to-binary translates kernels
  registry.insert<loom::LoomDialect>();
  return mlir::asMainReturnCode(mlir::MlirOptMain(argc, argv, "loom optimizer driver\n", registry));
}
