// The tracing context: while a generator body runs, DSL ops append nodes to the
// function being exported, and parameters register into the module.
#pragma once

#include "loom/dsl/graph.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <source_location>
#include <string_view>

namespace loom::detail {

[[noreturn]] inline void trace_error(std::string_view what) {
  std::fprintf(stderr, "loom: %.*s\n", static_cast<int>(what.size()), what.data());
  std::exit(2);
}

struct Tracer {
  graph::Module module;
  graph::Function *fn = nullptr; // the export being traced
  std::vector<int> param_nodes;  // param decl -> node id in *fn (-1: not used yet)
  graph::SourceLoc last_loc;     // for operators, which cannot take a source_location
  int step_node = -1, seed_node = -1; // hidden inputs of train steps and gradient exports
  int64_t random_streams = 0;         // tells apart the random ops of one function

  bool training() const { return fn && fn->kind != graph::Function::forward; }

  static Tracer *&current() {
    static Tracer *t = nullptr;
    return t;
  }
  static Tracer &get() {
    if (!current()) trace_error("a DSL object was used outside a LOOM_GENERATOR body");
    return *current();
  }
  graph::Function &function() {
    if (!fn) trace_error("a tensor op was traced outside export_function(...)");
    return *fn;
  }

  int add(graph::Node n) {
    auto &f = function();
    if (n.loc.file.empty()) n.loc = last_loc;
    else last_loc = n.loc;
    f.nodes.push_back(std::move(n));
    return static_cast<int>(f.nodes.size()) - 1;
  }

  int declare_param(std::string name, graph::TensorType type, graph::Init init) {
    for (auto &p : module.params)
      if (p.name == name) trace_error("parameter '" + name + "' is declared twice");
    module.params.push_back({std::move(name), std::move(type), init});
    return static_cast<int>(module.params.size()) - 1;
  }

  /// A parameter becomes a function argument the first time an export uses it.
  int param_node(int decl, const graph::SourceLoc &loc) {
    if (param_nodes.size() <= static_cast<size_t>(decl)) param_nodes.resize(decl + 1, -1);
    if (param_nodes[decl] < 0) {
      const auto &p = module.params[decl];
      graph::Node n{.op = "param", .type = p.type, .name = p.name, .param = decl, .loc = loc};
      param_nodes[decl] = add(std::move(n));
      function().params.push_back(param_nodes[decl]);
    }
    return param_nodes[decl];
  }

  void begin(std::string name, graph::Function::Kind kind) {
    for (auto &f : module.functions)
      if (f.name == name) trace_error("export '" + name + "' is defined twice");
    module.functions.push_back({});
    fn = &module.functions.back();
    fn->name = std::move(name);
    fn->kind = kind;
    param_nodes.clear();
    step_node = seed_node = -1;
    random_streams = 0;
  }

  /// In train steps, `param` (a buffer: frozen) is overwritten with `node` when the step ends.
  template <class P, class V> void update_buffer(const P &param, const V &value) {
    if (!training()) return;
    function().updates.push_back({param.decl(), value.node()});
  }

  /// The train step's hidden inputs, after the user's: lr (train only), step, seed.
  void add_hidden_inputs(const graph::SourceLoc &loc) {
    auto hidden = [&](const char *name, graph::DType t) {
      int id = add({.op = "input", .type = {t, {}}, .name = name, .loc = loc});
      fn->inputs.push_back(id);
      return id;
    };
    if (fn->kind == graph::Function::train) hidden("lr", graph::DType::f32);
    step_node = hidden("step", graph::DType::i64);
    seed_node = hidden("seed", graph::DType::i64);
  }
  /// Parameters are arguments in declaration order, whatever order they were used in.
  void end() {
    std::sort(fn->params.begin(), fn->params.end(),
              [&](int a, int b) { return fn->nodes[a].param < fn->nodes[b].param; });
    fn = nullptr;
  }
};

inline graph::SourceLoc to_loc(const std::source_location &l) {
  return {l.file_name(), static_cast<unsigned>(l.line()), static_cast<unsigned>(l.column())};
}

} // namespace loom::detail
