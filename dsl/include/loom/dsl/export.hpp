// Exports and generators. An export is a named function of named inputs whose
// shapes (batch size included) are fixed by the lambda's parameter types:
//
//   LOOM_GENERATOR(mlp) {
//     Mlp net;
//     export_function("predict", [&](In<"x", f32, 64, 784> x) { return out<"logits">(net(x)); });
//   }
#pragma once

#include "loom/dsl/ops.hpp"

#include <algorithm>
#include <functional>
#include <tuple>

namespace loom {

/// A named input of an export.
template <fixed_string Name, DType T, long... D> struct In : Tensor<T, D...> {
  static constexpr std::string_view name = Name.view();
  static In make(int node) {
    In x;
    x.node_ = node;
    return x;
  }
};

/// A named output of an export.
template <fixed_string Name, class Tn> struct Out {
  static constexpr std::string_view name = Name.view();
  Tn value;
};
template <fixed_string Name, DType T, long... D> Out<Name, Tensor<T, D...>> out(const Tensor<T, D...> &t) {
  return {t};
}

namespace detail {

template <class F> struct call_traits : call_traits<decltype(&F::operator())> {};
template <class C, class R, class... A> struct call_traits<R (C::*)(A...) const> {
  using args = std::tuple<std::decay_t<A>...>;
};
template <class C, class R, class... A> struct call_traits<R (C::*)(A...)> : call_traits<R (C::*)(A...) const> {};

template <class X> struct is_input : std::false_type {};
template <fixed_string N, DType T, long... D> struct is_input<In<N, T, D...>> : std::true_type {};

inline bool is_identifier(std::string_view s) {
  if (s.empty() || std::isdigit(static_cast<unsigned char>(s[0]))) return false;
  for (char c : s)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  return true;
}

template <class Arg> Arg make_input(Tracer &tr, const graph::SourceLoc &loc) {
  static_assert(is_input<Arg>::value,
                "export_function: every parameter of the lambda must be an In<\"name\", dtype, dims...>");
  if (!is_identifier(Arg::name))
    trace_error("input name '" + std::string(Arg::name) + "' is not a C++ identifier");
  graph::Node n{.op = "input", .type = Arg::type(), .name = std::string(Arg::name), .loc = loc};
  int id = tr.add(std::move(n));
  tr.function().inputs.push_back(id);
  return Arg::make(id);
}

inline void add_output(Tracer &tr, std::string_view name, int node) {
  if (!is_identifier(name)) trace_error("output name '" + std::string(name) + "' is not a C++ identifier");
  for (auto &n : tr.function().output_names)
    if (n == name) trace_error("output '" + std::string(name) + "' is returned twice");
  tr.function().outputs.push_back(node);
  tr.function().output_names.emplace_back(name);
}

template <class R> void add_outputs(Tracer &tr, const R &r) {
  if constexpr (is_tensor<R>::value) add_output(tr, "out", r.node());
  else if constexpr (requires { R::name; r.value.node(); }) add_output(tr, R::name, r.value.node());
  else
    std::apply([&](const auto &...o) { (add_output(tr, std::decay_t<decltype(o)>::name, o.value.node()), ...); }, r);
}

} // namespace detail

namespace detail {
template <class F>
void trace_export(const std::string &name, graph::Function::Kind kind, F &&fn, const loc_t &loc,
                  graph::Optimizer opt = {}, bool data_parallel = false) {
  auto &tr = Tracer::get();
  if (!is_identifier(name)) trace_error("export name '" + name + "' is not a C++ identifier");
  tr.begin(name, kind);
  tr.fn->optimizer = opt;
  tr.fn->data_parallel = data_parallel;
  using Args = typename call_traits<std::decay_t<F>>::args;
  auto gloc = to_loc(loc);
  tr.last_loc = gloc;
  auto args = [&]<std::size_t... I>(std::index_sequence<I...>) {
    return Args{make_input<std::tuple_element_t<I, Args>>(tr, gloc)...};
  }(std::make_index_sequence<std::tuple_size_v<Args>>{});
  for (int id : tr.fn->inputs)
    if (graph::is_hidden_input(tr.fn->nodes[id].name))
      trace_error("export '" + name + "': the input name '" + tr.fn->nodes[id].name + "' is reserved");
  if (kind != graph::Function::forward) tr.add_hidden_inputs(gloc);
  add_outputs(tr, std::apply(fn, args));
  if (kind != graph::Function::forward) {
    auto &names = tr.fn->output_names;
    if (std::find(names.begin(), names.end(), "out") != names.end() && names.size() == 1) names[0] = "loss";
    auto it = std::find(names.begin(), names.end(), "loss");
    if (it == names.end()) trace_error("export '" + name + "' must return its loss (a scalar, or out<\"loss\">(...))");
    const auto &t = tr.fn->nodes[tr.fn->outputs[it - names.begin()]].type;
    if (!t.shape.empty() || t.dtype != graph::DType::f32)
      trace_error("export '" + name + "': the loss must be an f32 scalar");
  }
  tr.end();
}
} // namespace detail

/// Traces `fn` as the export `name`: its inputs come from the lambda's parameter
/// types; it returns a Tensor, an out<"name">(t), or a std::tuple of out<>s.
template <class F> void export_function(const std::string &name, F &&fn, LOOM_HERE) {
  detail::trace_export(name, graph::Function::forward, std::forward<F>(fn), loc);
}

/// Optimizers, with PyTorch's semantics and defaults. The learning rate is a
/// run-time argument of the train step, so schedules need no recompilation.
struct SGD {
  double momentum = 0, dampening = 0, weight_decay = 0;
  bool nesterov = false;
  operator graph::Optimizer() const {
    return {.kind = graph::Optimizer::sgd, .momentum = momentum, .dampening = dampening,
            .weight_decay = weight_decay, .nesterov = nesterov};
  }
};
struct Adam {
  double beta1 = 0.9, beta2 = 0.999, eps = 1e-8, weight_decay = 0;
  operator graph::Optimizer() const {
    return {.kind = graph::Optimizer::adam, .weight_decay = weight_decay, .beta1 = beta1, .beta2 = beta2, .eps = eps};
  }
};
struct AdamW {
  double beta1 = 0.9, beta2 = 0.999, eps = 1e-8, weight_decay = 1e-2;
  operator graph::Optimizer() const {
    return {.kind = graph::Optimizer::adamw, .weight_decay = weight_decay, .beta1 = beta1, .beta2 = beta2, .eps = eps};
  }
};

/// A compiled train step: the lambda computes the loss (a scalar, or a tuple
/// with out<"loss">); the export runs forward, backward and the optimizer's
/// update of every non-frozen parameter it uses, in place. It also defines the
/// gradient export `<name>_grad` (loss and gradients, no update) used by
/// grad checks.
template <class F> void export_train_step(const std::string &name, F &&fn, graph::Optimizer opt, LOOM_HERE) {
  detail::trace_export(name, graph::Function::train, fn, loc, opt);
  detail::trace_export(name + "_grad", graph::Function::grad, fn, loc);
}

/// Data parallelism, as PyTorch's DistributedDataParallel: every process (an
/// MPI rank, loom::rt::MpiSession) runs the step on its own shard of the batch,
/// and the gradients are averaged over all processes (all-reduced in buckets)
/// before the optimizer updates each process's copy of the parameters, which
/// so stay identical. The loss and batch norm's statistics stay per process.
/// Run as one process, the step is the plain one.
struct DataParallel {};

/// A train step as above whose gradients are averaged over the processes of
/// the run (its `<name>_grad` export stays local: a process's own gradients).
template <class F>
void export_train_step(const std::string &name, F &&fn, graph::Optimizer opt, DataParallel, LOOM_HERE) {
  detail::trace_export(name, graph::Function::train, fn, loc, opt, /*data_parallel=*/true);
  detail::trace_export(name + "_grad", graph::Function::grad, fn, loc);
}

/// Loss and its gradients (outputs grad_<param> for each non-frozen parameter
/// and grad_<input> for each f32 input), without any update.
template <class F> void export_gradient(const std::string &name, F &&fn, LOOM_HERE) {
  detail::trace_export(name, graph::Function::grad, std::forward<F>(fn), loc);
}

namespace detail {
struct GeneratorEntry {
  const char *name = nullptr;
  void (*body)() = nullptr;
};
inline GeneratorEntry &generator_entry() {
  static GeneratorEntry e;
  return e;
}
struct RegisterGenerator {
  RegisterGenerator(const char *name, void (*body)()) {
    if (generator_entry().body) trace_error("two LOOM_GENERATORs in one program");
    generator_entry() = {name, body};
  }
};

/// Runs a generator body and returns what it traced.
template <class Body> graph::Module trace(const std::string &name, Body &&body) {
  if (!is_identifier(name)) trace_error("generator name '" + name + "' is not a C++ identifier");
  Tracer tr;
  tr.module.name = name;
  Tracer::current() = &tr;
  body();
  Tracer::current() = nullptr;
  if (tr.module.functions.empty()) trace_error("generator '" + name + "' exports nothing");
  return std::move(tr.module);
}

inline graph::Module trace_generator() {
  auto &e = generator_entry();
  if (!e.body) trace_error("this program defines no LOOM_GENERATOR");
  return trace(e.name, e.body);
}
} // namespace detail

} // namespace loom

/// Defines the generator NAME: the body declares the model and its exports.
/// Built by loom_add_model(NAME ...) into NAME.o + NAME.h.
#define LOOM_GENERATOR(NAME)                                                                   \
  static void loom_generator_body_##NAME();                                                    \
  static ::loom::detail::RegisterGenerator loom_register_##NAME{#NAME, &loom_generator_body_##NAME}; \
  static void loom_generator_body_##NAME()
