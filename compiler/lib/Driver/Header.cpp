// The generated header: the extern "C" symbol of each export (plain pointers,
// in the order params, optimizer state, inputs, outputs) and a typed C++
// wrapper, Model, that owns parameters and state and calls them.
#include "loom/Compiler/Compiler.h"

#include "llvm/Support/FormatVariadic.h"

#include <algorithm>
#include <sstream>

namespace loom {
namespace {

using graph::Function;

const char *ctype(graph::DType t) { return rt::dtype_info(t).ctype; }
std::string dims(const graph::TensorType &t, const char *sep = ", ") {
  std::string s;
  for (size_t i = 0; i < t.shape.size(); ++i) s += (i ? sep : "") + std::to_string(t.shape[i]);
  return s;
}
std::string pretty(const graph::TensorType &t) {
  return std::string(graph::dtype_name(t.dtype)) + "[" + dims(t, ",") + "]";
}
std::string typeArgs(const graph::TensorType &t, bool isConst = false) {
  return std::string(isConst ? "const " : "") + ctype(t.dtype) + (t.shape.empty() ? "" : ", " + dims(t));
}
std::string identifier(std::string s) {
  for (char &c : s)
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  return s;
}
std::string initExpr(const graph::Init &i) {
  static const char *kinds[] = {"zeros", "ones", "constant", "uniform", "normal"};
  return llvm::formatv("{{loom::rt::Init::{0}, {1:e}, {2:e}}", kinds[i.kind], i.a, i.b).str();
}

struct Tensor {
  std::string name;
  graph::TensorType type;
};

/// Everything one export passes, by role, read off its compiled signature
/// (readExports); `order` is the entry point's own argument order.
struct Signature {
  std::vector<AbiArg> order;        // without the CPU arena
  std::vector<int> params;          // decl indices
  std::vector<Tensor> state;        // optimizer state (train steps)
  std::vector<Tensor> inputs;       // the user's
  std::vector<std::string> hidden;  // lr, step, seed
  std::vector<Tensor> outputs;      // incl. gradients of gradient exports
  std::vector<std::pair<int, std::string>> paramGrads; // (decl index, output) of a gradient export
};

Signature signatureOf(const graph::Module &m, const ExportAbi &e) {
  Signature s;
  auto paramIndex = [&](const std::string &name) { // -1: no such parameter
    for (size_t i = 0; i < m.params.size(); ++i)
      if (m.params[i].name == name) return int(i);
    return -1;
  };
  for (const AbiArg &a : e.args) {
    if (a.role == AbiArg::arena) continue;
    s.order.push_back(a);
    Tensor t{a.name, {a.dtype, a.shape}};
    switch (a.role) {
    case AbiArg::param: {
      int p = paramIndex(a.name);
      if (p < 0) llvm::report_fatal_error(llvm::Twine("loom: export ") + e.name + " takes an undeclared parameter " + a.name);
      s.params.push_back(p);
      break;
    }
    case AbiArg::state: s.state.push_back(t); break;
    case AbiArg::input: s.inputs.push_back(t); break;
    case AbiArg::hidden: s.hidden.push_back(a.name); break;
    case AbiArg::output:
      s.outputs.push_back(t);
      if (int p = a.gradientOf.empty() ? -1 : paramIndex(a.gradientOf); p >= 0) s.paramGrads.push_back({p, a.name});
      break;
    case AbiArg::arena: break;
    }
  }
  return s;
}

std::string join(const std::vector<std::string> &v, const char *sep = ", ") {
  std::string s;
  for (size_t i = 0; i < v.size(); ++i) s += (i ? sep : "") + v[i];
  return s;
}

/// `text` with each @KEY@ replaced by its value.
std::string fill(std::string text, std::initializer_list<std::pair<const char *, std::string>> values) {
  for (const auto &[key, value] : values) {
    const std::string k = std::string("@") + key + "@";
    for (size_t at = text.find(k); at != std::string::npos; at = text.find(k, at + value.size()))
      text.replace(at, k.size(), value);
  }
  return text;
}

// The Model class's fixed parts, as the generated C++ reads (@MODEL@: the
// model's name; @EXPORTS@: how many exports). Each export's methods come
// between them.
constexpr const char *kModelBegin = R"(/// The model's parameters and optimizer state (owned; parameters initialised
/// from the seed, which also keys dropout) and one method per export.
/// On Device::cuda every call runs as GPU kernels, with parameters and state
/// in device-visible memory; inputs and results stay host arrays.
class Model {
public:
  explicit Model(uint64_t seed = 0, loom::rt::Device device = loom::rt::default_device())
      : device_(check_device(device)), params_(std::span(param_specs, param_count), seed, device),
        state_(std::span(state_specs, state_count), 0, device), seed_(seed) {
    (void)loom::rt::num_threads(); // a bad LOOM_NUM_THREADS is an Error here, not inside a step
  }
  loom::rt::Device device() const { return device_; }
  loom::rt::ParamStore &params() { return params_; }
  loom::rt::ParamStore &optimizer_state() { return state_; }
  loom::rt::TrainLog &log() { return log_; }
  uint64_t seed() const { return seed_; }
  /// Threads of this model's CPU calls (0: loom::rt::num_threads(), LOOM_NUM_THREADS or all cores).
  void set_num_threads(int n) { threads_ = loom::rt::checked_num_threads(n); }
  int num_threads() const { return threads_ ? threads_ : loom::rt::num_threads(); }
  /// Zeroes the optimizer state and step counts (parameters are kept).
  void reset_optimizer() { state_.initialize(0); log_ = {}; }
  /// Parameters, optimizer state and step counts, as safetensors (written atomically).
  void save(const std::string &path) { loom::rt::save_checkpoint(path, params_, state_, log_); }
  /// Restores parameters, buffers and (where the file has them) optimizer state and step counts; also
  /// reads a PyTorch state_dict saved with safetensors (same names; num_batches_tracked is skipped).
  void load(const std::string &path) { loom::rt::load_checkpoint(path, params_, state_, log_); }
  /// Parameters and buffers only; the optimizer state and step counts start afresh.
  void load_weights(const std::string &path) { loom::rt::load_weights(path, params_, state_, log_); }
  /// Parameters per layer, totals, and each export's memory plan, as text.
  std::string summary() const { return loom::rt::summary("@MODEL@", params_, memory_plan()); }
  /// Every export's memory plan (bytes by category; loom::rt::format prints them as a table).
  static std::span<const loom::rt::MemoryPlan> memory_plan() { return {memory_plans, @EXPORTS@}; }
  static const loom::rt::MemoryPlan &memory_plan(const std::string &name) { return loom::rt::find_plan(memory_plan(), name); }
  /// A call whose plan needs more than `bytes` fails before it runs, naming the plan's categories (0: no budget).
  void set_memory_budget(uint64_t bytes) { budget_ = bytes; }

)";

constexpr const char *kModelEnd = R"(private:
  static loom::rt::Device check_device(loom::rt::Device d) {
    if (d == loom::rt::Device::cuda) {
      if (!has_cuda) throw loom::rt::Error("model '@MODEL@' was built without the cuda target (loom_add_model(@MODEL@ ... TARGETS cpu cuda)); it runs on the cpu only");
      loom::rt::cuda::require();
    }
    return d;
  }
  /// Export k's arena, allocated once (zeroed, so first-touch faults happen here, not in a step).
  void *arena(std::size_t k, uint64_t bytes) {
    if (arenas_[k].size() < bytes) arenas_[k] = loom::rt::Buffer(bytes);
    return arenas_[k].data();
  }
  loom::rt::Device device_;
  loom::rt::ParamStore params_, state_;
  uint64_t seed_;
  loom::rt::TrainLog log_;
  loom::rt::Buffer arenas_[@EXPORTS@];
  int threads_ = 0;
  uint64_t budget_ = 0;
};

} // namespace @MODEL@
)";

/// The header, section by section: the generated C++ reads top to bottom in
/// the order generateHeader calls these.
struct HeaderWriter {
  const graph::Module &m;
  const std::vector<ExportAbi> &exports;
  const CompileOptions &opts;
  const Target *gpu = nullptr; // the GPU entry points (cuda, or cuda-emulator code under the same symbols)
  bool hasCuda = false;
  std::vector<Signature> sigs; // the exports as compiled, in the graph's order

  HeaderWriter(const graph::Module &m, const std::vector<ExportAbi> &exports, const CompileOptions &opts)
      : m(m), exports(exports), opts(opts) {
    for (const std::string &t : opts.headerTargets)
      if (const Target *r = findTarget(t); r && r->gpu) gpu = r;
    hasCuda = gpu != nullptr;
    for (const auto &f : m.functions) {
      auto e = std::find_if(exports.begin(), exports.end(), [&](const ExportAbi &x) { return x.name == f.name; });
      if (e == exports.end()) llvm::report_fatal_error(llvm::Twine("loom: no compiled signature for the export ") + f.name);
      sigs.push_back(signatureOf(m, *e));
    }
  }

  /// The extern "C" entry points, as the compiled functions take their arguments.
  void entryPoints(std::ostream &h) const {
  h << "extern \"C\" {\n";
  for (size_t k = 0; k < m.functions.size(); ++k) {
    const auto &f = m.functions[k];
    const auto &s = sigs[k];
    std::vector<std::string> args;
    for (const AbiArg &a : s.order) args.push_back(std::string(ctype(a.dtype)) + " *" + identifier(a.name));
    // The CPU entry point's temporaries live in an arena the caller owns (-loom-plan-arena).
    std::vector<std::string> cpuArgs = args;
    cpuArgs.push_back("void *arena");
    h << "void " << exportSymbol(m, f) << "(" << join(cpuArgs) << ");\n";
    h << "extern const uint64_t " << exportSymbol(m, f) << "_arena_bytes;\n";
    if (hasCuda) h << "void " << exportSymbol(m, f, *gpu) << "(" << join(args) << ");\n";
  }
  h << "}\n\n";

  }

  /// Parameter and optimizer-state specs, memory plans, what the library was built with.
  void tables(std::ostream &h) const {
  h << "/// Every parameter of the model, in the order the entry points take them.\n"
    << "inline const loom::rt::ParamSpec param_specs[] = {\n";
  for (const auto &p : m.params)
    h << "    {\"" << p.name << "\", loom::rt::DType::" << graph::dtype_name(p.type.dtype) << ", {" << dims(p.type)
      << "}, " << initExpr(p.init) << (p.frozen ? ", true" : "") << "},\n";
  // C++ has no empty arrays: a model without parameters lists a placeholder and a count of 0.
  if (m.params.empty()) h << "    {\"(none)\", loom::rt::DType::f32, {1}, {loom::rt::Init::zeros}},\n";
  h << "};\ninline constexpr std::size_t param_count = " << m.params.size() << ";\n\n/// Optimizer state of every train step (zeros, as PyTorch starts).\n"
    << "inline const loom::rt::ParamSpec state_specs[] = {\n";
  size_t stateCount = 0;
  for (auto &s : sigs)
    for (auto &t : s.state) {
      h << "    {\"" << t.name << "\", loom::rt::DType::" << graph::dtype_name(t.type.dtype) << ", {" << dims(t.type)
        << "}, {loom::rt::Init::zeros}},\n";
      ++stateCount;
    }
  if (!stateCount) h << "    {\"(none)\", loom::rt::DType::f32, {1}, {loom::rt::Init::zeros}},\n";
  h << "};\ninline constexpr std::size_t state_count = " << stateCount << ";\n\n";
  h << "/// Each export's memory plan in bytes, by category, as the compiler planned it\n"
    << "/// (loom::rt::format(Model::memory_plan()) prints them; generator --emit=memory too).\n"
    << "inline constexpr loom::rt::MemoryPlan memory_plans[] = {\n";
  for (const ExportAbi &e : exports) {
    const loom::rt::MemoryPlan &b = e.bytes;
    h << "    {\"" << e.name << "\", \"" << e.optimizer << "\", " << b.parameters << ", " << b.gradients << ", "
      << b.optimizer_state << ", " << b.activations << ", " << b.temporaries << ", " << b.inputs_outputs << "},\n";
  }
  if (exports.empty()) h << "    {\"(none)\"},\n";
  h << "};\n\n";
  h << "/// Whether the library has the CUDA entry points (loom_add_model(... TARGETS cpu cuda)).\n"
    << "inline constexpr bool has_cuda = " << (hasCuda ? "true" : "false") << ";\n"
    << "/// Whether every op's f32 outputs are checked for NaN and Inf (loom_add_model(... CHECK_NUMERICS)).\n"
    << "inline constexpr bool checks_numerics = " << (opts.checkNumerics ? "true" : "false") << ";\n\n";

  }

  /// Result structs for exports with several outputs.
  void resultStructs(std::ostream &h) const {
  for (size_t k = 0; k < m.functions.size(); ++k) {
    const auto &s = sigs[k];
    if (s.outputs.size() < 2) continue;
    h << "struct " << m.functions[k].name << "_result {\n";
    for (auto &t : s.outputs) h << "  loom::rt::Array<" << typeArgs(t.type) << "> " << t.name << ";\n";
    h << "};\n\n";
  }

  }

  /// Export k's methods on Model.
  void methods(std::ostream &h, size_t k) const {
    const auto &f = m.functions[k];
    const auto &s = sigs[k];
  std::vector<std::string> sig, doc;
  for (auto &t : s.inputs) {
    sig.push_back("loom::rt::Arg<" + typeArgs(t.type, true) + "> " + t.name);
    doc.push_back(t.name + ": " + pretty(t.type));
  }
  std::vector<std::string> outDoc;
  for (auto &t : s.outputs) outDoc.push_back(t.name + ": " + pretty(t.type));

  // The raw call's arguments in the entry point's order, with outputs in `r`
  // (an Array, or a result struct) or the caller's buffers; the CUDA call
  // stages inputs and outputs through device-visible memory.
  const bool single = s.outputs.size() == 1;
  auto callArgs = [&](bool cuda, bool callerOutputs) {
    std::vector<std::string> v;
    size_t param = 0;
    for (const AbiArg &a : s.order) {
      const std::string n = std::to_string(graph::TensorType{a.dtype, a.shape}.numel());
      const std::string out = callerOutputs ? "a_" + a.name : single ? "r.data()" : "r." + a.name + ".data()";
      switch (a.role) {
      case AbiArg::param:
        v.push_back("params_.data<" + std::string(ctype(a.dtype)) + ">(" + std::to_string(s.params[param++]) + ")");
        break;
      case AbiArg::state: v.push_back("state_.data<" + std::string(ctype(a.dtype)) + ">(state_.index(\"" + a.name + "\"))"); break;
      case AbiArg::input:
        v.push_back(cuda ? "s_.in(a_" + a.name + ", " + n + ")" : "const_cast<" + std::string(ctype(a.dtype)) + " *>(a_" + a.name + ")");
        break;
      case AbiArg::hidden: v.push_back(cuda ? "s_.in(&" + a.name + "_, 1)" : "&" + a.name + "_"); break;
      case AbiArg::output: v.push_back(cuda ? "s_.out(" + out + ", " + n + ")" : out); break;
      case AbiArg::arena: break;
      }
    }
    return v;
  };
  std::vector<std::string> pass = callArgs(false, false), passCuda = callArgs(true, false);
  const std::string call = m.name + "::Model::" + f.name; // in messages
  // --check-numerics: the call between a guard that checks the inputs and
  // keeps the stores it may update (the optimizer state: train steps only),
  // and its finish(), which throws what the checks found.
  std::string guard, guardEnd;
  if (opts.checkNumerics) {
    guard = "    loom::rt::NumericsGuard g_(\"" + call + "\", " + (f.kind == Function::forward ? "0" : "step_") +
            ", params_, " + (f.kind == Function::train ? "&state_" : "nullptr") + ");\n";
    for (auto &t : s.inputs)
      if (t.type.dtype == graph::DType::f32) guard += "    g_.input(\"" + t.name + "\", a_" + t.name + ", {" + dims(t.type) + "});\n";
    guardEnd = "    g_.finish();\n";
  }
  // Both calls, dispatched on the model's device (checked code is CPU code only).
  auto dispatch = [&](std::vector<std::string> cpuArgs, const std::vector<std::string> &cudaArgs) {
    cpuArgs.push_back("arena(" + std::to_string(k) + ", " + exportSymbol(m, f) + "_arena_bytes)");
    std::string c = "{ loom::rt::ThreadsScope t_(threads_); " + exportSymbol(m, f) + "(" + join(cpuArgs) + "); }\n";
    if (!hasCuda) return guard + "    " + c + guardEnd;
    return "    if (device_ == loom::rt::Device::cuda) {\n      loom::rt::Staging s_;\n      " + exportSymbol(m, f, *gpu) +
           "(" + join(cudaArgs) + ");\n      s_.finish();\n    } else {\n      " + c + "    }\n";
  };
  std::string result = single ? "loom::rt::Array<" + typeArgs(s.outputs[0].type) + ">" : f.name + "_result";

  std::string hiddenSetup;
  if (f.kind == Function::train)
    hiddenSetup = "    float lr_ = lr;\n    int64_t step_ = log_.steps(\"" + f.name + "\") + 1, seed_ = static_cast<int64_t>(this->seed_);\n";
  else if (f.kind == Function::grad)
    hiddenSetup = "    int64_t step_ = step, seed_ = static_cast<int64_t>(this->seed_);\n";
  std::string extra = f.kind == Function::train ? "float lr" : f.kind == Function::grad ? "int64_t step = 1" : "";
  std::vector<std::string> fullSig = sig;
  if (!extra.empty()) fullSig.push_back(extra);

  const char *what = f.kind == Function::train ? "train step" : f.kind == Function::grad ? "loss and gradients" : "forward";
  h << "  /// " << f.name << " (" << what << "): " << join(doc) << (f.kind == Function::train ? ", lr" : "") << " -> "
    << join(outDoc) << "\n";
  if (f.kind == Function::train)
    h << "  /// " << f.optimizer.name() << " updates the parameters in place; the loss is logged.\n";
  if (f.data_parallel)
    h << "  /// Data-parallel: the gradients are averaged over the run's processes (loom::rt::communicator()) first.\n";
  std::string ret = f.kind == Function::train && single ? "float" : result;
  h << "  /// Bytes of " << f.name << "'s temporaries on the CPU (one arena, allocated at the first call).\n"
    << "  static uint64_t " << f.name << "_arena_bytes() { return " << exportSymbol(m, f) << "_arena_bytes; }\n";
  // The budget is checked before anything is allocated for the call.
  std::string fits = "    if (budget_) loom::rt::require_fits(memory_plans[" + std::to_string(k) + "], budget_, \"" + m.name + "\");\n";
  // Argument sizes are checked before anything happens (a step is not counted).
  auto check = [&](const auto &t, const char *pointer) {
    return "    " + std::string(pointer) + " *a_" + t.name + " = " + t.name + ".checked(\"" + call + "\", \"" + t.name + "\");\n";
  };
  std::string checks;
  for (auto &t : s.inputs) checks += check(t, "const auto");
  // A data-parallel step: a communicator if mpirun started several
  // processes, and its all-reduce's failure (kept by the runtime while
  // generated code ran) thrown after the call.
  std::string dp = f.data_parallel ? "    loom::rt::require_communicator(\"" + call + "\");\n" : "";
  std::string dpEnd = f.data_parallel ? "    loom::rt::finish_all_reduce(\"" + call + "\");\n" : "";
  h << "  " << ret << " " << f.name << "(" << join(fullSig) << ") {\n" << checks << fits << dp << hiddenSetup << "    "
    << result << " r;\n" << dispatch(pass, passCuda) << dpEnd;
  if (f.kind == Function::train)
    h << "    log_.record(\"" << f.name << "\", " << (single ? "r[0]" : "r.loss[0]") << ");\n";
  h << "    return r" << (f.kind == Function::train && single ? "[0]" : "") << ";\n  }\n";
  // Forward and gradient exports also write into caller-provided buffers
  // (called again and again, no output is allocated, zeroed and faulted in).
  if (f.kind == Function::forward || f.kind == Function::grad) {
    std::vector<std::string> outSig = sig;
    for (auto &t : s.outputs) outSig.push_back("loom::rt::Arg<" + typeArgs(t.type) + "> " + t.name);
    if (!extra.empty()) outSig.push_back(extra);
    std::string outChecks = checks;
    for (auto &t : s.outputs) outChecks += check(t, "auto");
    h << "  void " << f.name << "(" << join(outSig) << ") {\n" << outChecks << fits << hiddenSetup
      << dispatch(callArgs(false, true), callArgs(true, true)) << "  }\n";
  }
  // Every train step can check its gradients against finite differences.
  if (f.kind == Function::train) {
    // The DSL exports each train step's gradients as <name>_grad (export.hpp).
    std::string gname = f.name + "_grad";
    auto g = std::find_if(m.functions.begin(), m.functions.end(), [&](const Function &x) { return x.name == gname; });
    if (g == m.functions.end()) llvm::report_fatal_error(llvm::Twine("loom: the train step ") + f.name + " has no " + gname);
    std::vector<std::string> args, grads;
    for (auto &t : s.inputs) args.push_back(t.name);
    for (auto &[p, output] : sigs[g - m.functions.begin()].paramGrads)
      grads.push_back("{" + std::to_string(p) + ", r." + output + ".span()}");
    h << "  /// Compares " << gname << "'s gradients with central finite differences of its loss.\n"
      << "  loom::rt::GradCheck grad_check_" << f.name << "(" << join(sig)
      << (sig.empty() ? "" : ", ") << "int samples = 16, double eps = 1e-3) {\n"
      << "    int64_t step = log_.steps(\"" << f.name << "\") + 1;\n"
      << "    auto r = " << gname << "(" << join(args) << (args.empty() ? "" : ", ") << "step);\n"
      << "    return loom::rt::grad_check(params_, {" << join(grads) << "},\n"
      << "        [&] { return double(" << gname << "(" << join(args) << (args.empty() ? "" : ", ") << "step).loss[0]); }, samples, eps);\n"
      << "  }\n";
  }
  h << "\n";
  }
};

} // namespace

std::string generateHeader(const graph::Module &m, const std::vector<ExportAbi> &exports, const CompileOptions &opts) {
  const HeaderWriter w(m, exports, opts);
  std::ostringstream h;
  h << "// Generated by loom from the generator '" << m.name << "'. Do not edit.\n"
    << "#pragma once\n\n#include <loom/rt/runtime.hpp>\n\n#include <cstdint>\n#include <string>\n\n";
  w.entryPoints(h);
  h << "namespace " << m.name << " {\n\n";
  w.tables(h);
  w.resultStructs(h);
  h << fill(kModelBegin, {{"MODEL", m.name}, {"EXPORTS", std::to_string(exports.size())}});
  for (size_t k = 0; k < m.functions.size(); ++k) w.methods(h, k);
  h << fill(kModelEnd, {{"MODEL", m.name}, {"EXPORTS", std::to_string(m.functions.size())}});
  return h.str();
}

} // namespace loom
