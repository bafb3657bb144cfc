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

std::string exportSymbol(const graph::Module &m, const graph::Function &f, const Target &target) {
  return "loom_" + m.name + "_" + f.name + std::string(target.symbolSuffix);
}

namespace {

Type elementType(MLIRContext *ctx, graph::DType t) {
  const rt::DTypeInfo &info = rt::dtype_info(t);
  return info.floating ? Type(Float32Type::get(ctx)) : Type(IntegerType::get(ctx, info.bits));
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

/// Reads a traced node's attributes by the kind LoomOps.td gives each
/// (LoomImport.cpp.inc, generated from it, says which to read for which op).
struct AttrReader {
  const graph::Node &node;
  RankedTensorType type;
  Location loc;
  Builder b;

  InFlightDiagnostic error(StringRef what, StringRef name) {
    return emitError(loc) << "loom." << node.op << ": the traced node's attribute '" << name << "' " << what;
  }
  const std::vector<int64_t> *ints(StringRef name) {
    auto it = node.ints.find(name.str());
    return it == node.ints.end() ? nullptr : &it->second;
  }
  LogicalResult i64(OperationState &st, StringRef name) {
    const auto *v = ints(name);
    if (!v || v->size() != 1) return error("is missing or not one integer", name);
    st.addAttribute(name, b.getI64IntegerAttr(v->front()));
    return success();
  }
  LogicalResult i64s(OperationState &st, StringRef name) {
    const auto *v = ints(name);
    if (!v) return error("is missing", name);
    st.addAttribute(name, b.getDenseI64ArrayAttr(*v));
    return success();
  }
  LogicalResult elements(OperationState &st, StringRef name) {
    if (node.values.size() != 1 && static_cast<int64_t>(node.values.size()) != type.getNumElements())
      return error("has " + std::to_string(node.values.size()) + " values", name);
    st.addAttribute(name, constantValue(type, node.values));
    return success();
  }
  /// An I64EnumAttr, from its IR spelling (as the DSL stores it).
  template <class E> LogicalResult enumeration(OperationState &st, StringRef name) {
    auto it = node.strs.find(name.str());
    if (it == node.strs.end()) return error("is missing", name);
    std::optional<E> v = symbolizeEnum<E>(it->second);
    if (!v) return error("'" + it->second + "' is not one of its values", name);
    st.addAttribute(name, b.getI64IntegerAttr(static_cast<int64_t>(*v)));
    return success();
  }
  LogicalResult unknownOp() { return emitError(loc) << "loom: the traced graph has an unknown op '" << node.op << "'"; }
};

#include "loom/Dialect/LoomImport.cpp.inc"

} // namespace

OwningOpRef<ModuleOp> importGraph(MLIRContext &ctx, const graph::Module &m, const Target &target) {
  ctx.loadDialect<LoomDialect, func::FuncDialect>();
  OpBuilder b(&ctx);
  OwningOpRef<ModuleOp> module = ModuleOp::create(b.getUnknownLoc(), StringRef(m.name));
  b.setInsertionPointToEnd(module->getBody());

  for (const graph::Function &f : m.functions) {
    // Arguments: parameters, optimizer state (train steps), inputs.
    struct Arg {
      Type type;
      NamedAttrList attrs;
      int node = -1;
    };
    SmallVector<Arg> args;
    for (int id : f.params) {
      const graph::Node &n = f.nodes[id];
      Arg a{tensorType(&ctx, n.type), {}, id};
      a.attrs.set("loom.param", b.getStringAttr(n.name));
      if (m.params[n.param].frozen) a.attrs.set("loom.frozen", b.getUnitAttr());
      args.push_back(a);
    }
    if (f.kind == graph::Function::train)
      for (int id : f.params)
        if (!m.params[f.nodes[id].param].frozen)
          for (const std::string &s : f.optimizer.state_names()) {
            Arg a{tensorType(&ctx, f.nodes[id].type), {}, -1};
            a.attrs.set("loom.state", b.getStringAttr(f.name + "." + f.nodes[id].name + "." + s));
            args.push_back(a);
          }
    for (int id : f.inputs) {
      Arg a{tensorType(&ctx, f.nodes[id].type), {}, id};
      a.attrs.set("loom.input", b.getStringAttr(f.nodes[id].name));
      args.push_back(a);
    }
    SmallVector<Type> argTypes, resultTypes;
    for (auto &a : args) argTypes.push_back(a.type);
    for (int id : f.outputs) resultTypes.push_back(tensorType(&ctx, f.nodes[id].type));
    for (auto [decl, id] : f.updates) resultTypes.push_back(tensorType(&ctx, f.nodes[id].type));

    Location loc = f.nodes.empty() ? b.getUnknownLoc() : location(b, f.nodes.front().loc);
    auto fn = b.create<func::FuncOp>(loc, exportSymbol(m, f, target), b.getFunctionType(argTypes, resultTypes));
    fn->setAttr("loom.export", b.getStringAttr(f.name));
    if (f.kind == graph::Function::grad) fn->setAttr("loom.grad", b.getUnitAttr());
    if (f.data_parallel) fn->setAttr("loom.data_parallel", b.getUnitAttr());
    if (f.kind == graph::Function::train) {
      const graph::Optimizer &o = f.optimizer;
      fn->setAttr("loom.train", b.getDictionaryAttr({
          b.getNamedAttr("optimizer", b.getStringAttr(o.name())),
          b.getNamedAttr("momentum", b.getF64FloatAttr(o.momentum)),
          b.getNamedAttr("dampening", b.getF64FloatAttr(o.dampening)),
          b.getNamedAttr("nesterov", b.getBoolAttr(o.nesterov)),
          b.getNamedAttr("weight_decay", b.getF64FloatAttr(o.weight_decay)),
          b.getNamedAttr("beta1", b.getF64FloatAttr(o.beta1)),
          b.getNamedAttr("beta2", b.getF64FloatAttr(o.beta2)),
          b.getNamedAttr("eps", b.getF64FloatAttr(o.eps)),
      }));
    }
    Block *entry = fn.addEntryBlock();
    OpBuilder fb = OpBuilder::atBlockBegin(entry);

    std::vector<Value> values(f.nodes.size());
    for (size_t i = 0; i < args.size(); ++i) {
      fn.setArgAttrs(i, args[i].attrs.getDictionary(&ctx));
      if (args[i].node >= 0) values[args[i].node] = entry->getArgument(i);
    }
    for (size_t i = 0; i < f.outputs.size(); ++i)
      fn.setResultAttr(i, "loom.output", b.getStringAttr(f.output_names[i]));
    // Buffers the step overwrites (batch norm's running statistics).
    for (size_t i = 0; i < f.updates.size(); ++i)
      fn.setResultAttr(f.outputs.size() + i, "loom.update", b.getStringAttr(m.params[f.updates[i].first].name));

    for (size_t id = 0; id < f.nodes.size(); ++id) {
      const graph::Node &n = f.nodes[id];
      if (n.op == "param" || n.op == "input") continue;
      // Every op is built generically from its name, operands and attributes
      // (typed as LoomOps.td declares them): the ODS verifiers check the rest.
      // Named after the op, so a message about it (-loom-check-numerics) can say which.
      OperationState st(NameLoc::get(fb.getStringAttr(n.op), location(fb, n.loc)), "loom." + n.op);
      for (int o : n.operands) st.addOperands(values[o]);
      auto type = tensorType(&ctx, n.type);
      st.addTypes(type);
      AttrReader reader{n, type, st.location, fb};
      if (failed(addAttributes(st, reader))) return nullptr;
      values[id] = fb.create(st)->getResult(0);
    }
    SmallVector<Value> results;
    for (int id : f.outputs) results.push_back(values[id]);
    for (auto [decl, id] : f.updates) results.push_back(values[id]);
    fb.create<func::ReturnOp>(loc, results);
  }
  if (failed(verify(*module))) return nullptr;
  return module;
}

} // namespace loom
