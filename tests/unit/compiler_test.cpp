// The compiler's entry points on a traced graph: import, stages, header.
#include "loom/Compiler/Compiler.h"
#include "loom/Dialect/LoomOps.h"

#include <loom/loom.hpp>

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/MLIRContext.h"

#include <doctest/doctest.h>

using namespace loom;

namespace {
graph::Module tiny() {
  return detail::trace("tiny", [] {
    Param<f32, 3> w{"w", init::ones()};
    export_function("f", [&](In<"x", f32, 2, 3> x) { return out<"y">(sum<1>(x * w)); });
  });
}
std::string compileTo(Stage s, const graph::Module &m) {
  std::string text;
  llvm::raw_string_ostream os(text);
  REQUIRE(succeeded(compile(m, s, CompileOptions{}, os)));
  return os.str();
}
} // namespace

TEST_CASE("stage names round-trip and are in pipeline order") {
  for (int i = 0; i <= static_cast<int>(Stage::header); ++i) {
    auto s = static_cast<Stage>(i);
    CHECK(parseStage(stageName(s)) == s);
  }
  CHECK(!parseStage("pdf"));
  // The table's rows are in the enum's order (kStages[i].stage == i), so a dump's number is its row.
  for (int i = 0; i < int(std::size(kStages)); ++i) CHECK(static_cast<int>(kStages[i].stage) == i);
  CHECK(stageNames() == "loom, loom-grad, linalg, fused, buffers, memory, kernels, llvm-mlir, ptx, llvm, asm, obj or header");
}

TEST_CASE("the importer builds a verified loom module with named arguments") {
  mlir::DialectRegistry registry;
  registerCompilerDialects(registry);
  mlir::MLIRContext ctx(registry);
  auto m = tiny();
  auto module = importGraph(ctx, m);
  REQUIRE(module);
  auto fn = module->lookupSymbol<mlir::func::FuncOp>("loom_tiny_f");
  REQUIRE(fn);
  CHECK(fn.getNumArguments() == 2);
  CHECK(fn.getArgAttrOfType<mlir::StringAttr>(0, "loom.param").getValue() == "w");
  CHECK(fn.getArgAttrOfType<mlir::StringAttr>(1, "loom.input").getValue() == "x");
  int ops = 0;
  fn.walk([&](mlir::Operation *op) { ops += op->getDialect()->getNamespace() == "loom"; });
  CHECK(ops == 3); // broadcast_to, mul, reduce_sum
}

TEST_CASE("each stage is what its name says") {
  auto m = tiny();
  CHECK(compileTo(Stage::loom, m).find("loom.reduce_sum") != std::string::npos);
  auto linalg = compileTo(Stage::linalg, m);
  CHECK(linalg.find("linalg.generic") != std::string::npos);
  CHECK(linalg.find("= loom.") == std::string::npos); // no loom op is left
  CHECK(compileTo(Stage::buffers, m).find("memref<2x3xf32>") != std::string::npos);
  CHECK(compileTo(Stage::llvm_mlir, m).find("llvm.func @loom_tiny_f") != std::string::npos);
  CHECK(compileTo(Stage::llvm, m).find("define void @loom_tiny_f(ptr") != std::string::npos);
  auto header = compileTo(Stage::header, m);
  CHECK(header.find("void loom_tiny_f(float *w, float *x, float *y, void *arena);") != std::string::npos);
  CHECK(header.find("loom::rt::Array<float, 2> f(loom::rt::Arg<const float, 2, 3> x)") != std::string::npos);
}

TEST_CASE("an unknown target is refused") {
  CompileOptions o;
  o.target = "tpu";
  std::string text;
  llvm::raw_string_ostream os(text);
  CHECK(failed(compile(tiny(), Stage::object, o, os)));
}
