// The traced DSL graph -> a `loom` module: one func.func per export, one op per
// node, each located at the model-source line that created it.
#include "loom/Compiler/Compiler.h"
#include "loom/Dialect/LoomOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Verifier.h"

using namespace mlir;

namespace loom {

std::string exportSymbol(const graph::Module &m, const graph::Function &f) {
  return "loom_" + m.name + "_" + f.name;
}

namespace {

Type elementType(MLIRContext *ctx, graph::DType t) {
  switch (t) {
  case graph::DType::f32: return Float32Type::get(ctx);
  case graph::DType::i32: return IntegerType::get(ctx, 32);
  case graph::DType::i64: return IntegerType::get(ctx, 64);
  }
  return {};
}

RankedTensorType tensorType(MLIRContext *ctx, const graph::TensorType &t) {
  return RankedTensorType::get(t.shape, elementType(ctx, t.dtype));
}

Location location(OpBuilder &b, const graph::SourceLoc &l) {
  if (l.file.empty()) return b.getUnknownLoc();
  return FileLineColLoc::get(b.getContext(), l.file, l.line, l.column);
}

DenseElementsAttr constantValue(RankedTensorType type, const std::vector<double> &values) {
  auto et = type.getElementType();
  auto attr = [&](double v) -> Attribute {
    if (isa<FloatType>(et)) return FloatAttr::get(et, v);
    return IntegerAttr::get(et, static_cast<int64_t>(v));
  };
  if (values.size() == 1) return DenseElementsAttr::get(type, attr(values[0]));
  SmallVector<Attribute> elems;
  for (double v : values) elems.push_back(attr(v));
  return DenseElementsAttr::get(type, elems);
}

} // namespace

OwningOpRef<ModuleOp> importGraph(MLIRContext &ctx, const graph::Module &m) {
  ctx.loadDialect<LoomDialect, func::FuncDialect>();
  OpBuilder b(&ctx);
  OwningOpRef<ModuleOp> module = ModuleOp::create(b.getUnknownLoc(), StringRef(m.name));
  b.setInsertionPointToEnd(module->getBody());

  for (const graph::Function &f : m.functions) {
    SmallVector<Type> argTypes, resultTypes;
    SmallVector<int> args(f.params.begin(), f.params.end());
    args.append(f.inputs.begin(), f.inputs.end());
    for (int id : args) argTypes.push_back(tensorType(&ctx, f.nodes[id].type));
    for (int id : f.outputs) resultTypes.push_back(tensorType(&ctx, f.nodes[id].type));

    Location loc = f.nodes.empty() ? b.getUnknownLoc() : location(b, f.nodes.front().loc);
    auto fn = b.create<func::FuncOp>(loc, exportSymbol(m, f), b.getFunctionType(argTypes, resultTypes));
    Block *entry = fn.addEntryBlock();
    OpBuilder fb = OpBuilder::atBlockBegin(entry);

    std::vector<Value> values(f.nodes.size());
    for (size_t i = 0; i < args.size(); ++i) {
      const graph::Node &n = f.nodes[args[i]];
      values[args[i]] = entry->getArgument(i);
      fn.setArgAttr(i, n.op == "param" ? "loom.param" : "loom.input", b.getStringAttr(n.name));
    }
    for (size_t i = 0; i < f.outputs.size(); ++i)
      fn.setResultAttr(i, "loom.output", b.getStringAttr(f.output_names[i]));

    for (size_t id = 0; id < f.nodes.size(); ++id) {
      const graph::Node &n = f.nodes[id];
      if (n.op == "param" || n.op == "input") continue;
      // Every op is built generically from its name, operands and attributes:
      // the ODS verifiers check the rest.
      OperationState st(location(fb, n.loc), "loom." + n.op);
      for (int o : n.operands) st.addOperands(values[o]);
      auto type = tensorType(&ctx, n.type);
      st.addTypes(type);
      for (const auto &[name, ints] : n.ints) {
        if (name == "axis") st.addAttribute(name, fb.getI64IntegerAttr(ints.at(0)));
        else st.addAttribute(name, fb.getDenseI64ArrayAttr(ints));
      }
      if (n.op == "constant") st.addAttribute("value", constantValue(type, n.values));
      values[id] = fb.create(st)->getResult(0);
    }
    SmallVector<Value> results;
    for (int id : f.outputs) results.push_back(values[id]);
    fb.create<func::ReturnOp>(loc, results);
  }
  if (failed(verify(*module))) return nullptr;
  return module;
}

} // namespace loom
