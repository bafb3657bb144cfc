// The traced graph: what running a generator's body records. Plain data, no
// MLIR: the compiler's importer (compiler/lib/Import) turns it into `loom` IR.
#pragma once

#include "loom/rt/dtype.hpp"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace loom::graph {

/// The runtime's element types (loom/rt/dtype.hpp: one table for the DSL, the compiler and the runtime).
using rt::DType;
using rt::dtype_name;

struct TensorType {
  DType dtype = DType::f32;
  std::vector<int64_t> shape;
  int64_t numel() const {
    int64_t n = 1;
    for (auto d : shape) n *= d;
    return n;
  }
  bool operator==(const TensorType &) const = default;
};

struct SourceLoc {
  std::string file;
  unsigned line = 0, column = 0;
};

/// How a parameter is initialised by the runtime (deterministic from a seed).
struct Init {
  enum Kind { zeros, ones, constant, uniform, normal } kind = zeros;
  double a = 0, b = 0; // constant: a; uniform: [a, b); normal: mean a, std b
};

/// One traced op. `op` is the loom op's mnemonic, or "param"/"input" for a
/// function argument.
struct Node {
  std::string op;
  std::vector<int> operands;
  TensorType type;
  std::map<std::string, std::vector<int64_t>> ints; // axes, permutation, starts, ...
  std::vector<double> values;                       // constant: one (splat) or numel values
  std::map<std::string, std::string> strs;          // compare: predicate
  std::string name;                                 // param or input name
  int param = -1;                                   // index into Module::params
  SourceLoc loc;
};

/// An optimizer with PyTorch's semantics and defaults; the learning rate is a
/// run-time input of the train step.
struct Optimizer {
  enum Kind { sgd, adam, adamw } kind = sgd;
  double momentum = 0, dampening = 0, weight_decay = 0;
  bool nesterov = false;
  double beta1 = 0.9, beta2 = 0.999, eps = 1e-8;

  /// The state tensors it keeps per parameter, with PyTorch's names. The
  /// importer creates them as arguments; the header allocates them.
  std::vector<std::string> state_names() const {
    if (kind == sgd) return momentum != 0 ? std::vector<std::string>{"momentum_buffer"} : std::vector<std::string>{};
    return {"exp_avg", "exp_avg_sq"};
  }
  const char *name() const { return kind == sgd ? "sgd" : kind == adam ? "adam" : "adamw"; }
};

struct Function {
  /// forward: outputs only; train: loss + backward + optimizer update, parameters
  /// and state updated in place; grad: loss and gradients (grad_<name> outputs).
  enum Kind { forward, train, grad } kind = forward;
  Optimizer optimizer; // train only
  /// train only: gradients are averaged over the processes of a run before the update.
  bool data_parallel = false;
  std::string name;
  std::vector<Node> nodes;
  std::vector<int> params, inputs, outputs; // node ids, in signature order
  std::vector<std::string> output_names;
  /// Buffers a train step overwrites besides the optimizer's work (batch norm's
  /// running statistics): (param decl, node with the new value).
  std::vector<std::pair<int, int>> updates;
};

struct ParamDecl {
  std::string name;
  TensorType type;
  Init init;
  bool frozen = false; // no gradient, never updated
};

/// Inputs every train step / gradient export gets after the user's inputs.
inline bool is_hidden_input(const std::string &name) { return name == "lr" || name == "step" || name == "seed"; }

struct Module {
  std::string name;
  std::vector<ParamDecl> params;
  std::vector<Function> functions;
};

} // namespace loom::graph
