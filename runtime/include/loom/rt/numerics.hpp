// The NaN/Inf guard (generator --check-numerics, loom_add_model(... CHECK_NUMERICS)),
// as JAX's debug_nans and PyTorch's anomaly mode: the compiled code calls
// loom_rt_check_finite after every op of an export with the op's output and a
// text naming the op and its model-source line (-loom-check-numerics); the
// first non-finite value of a call is kept, and the generated header turns it
// into an Error once the call returns, after putting back the parameters and
// optimizer state the call had updated.
#pragma once

#include "loom/rt/params.hpp"

#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

extern "C" {
/// `first` is a view's first element; `layout` is {rank, sizes[rank],
/// strides[rank]} in elements; `site` names the op ("log at model.cpp:12:7").
/// Records the view's first non-finite value unless this thread has one already.
void loom_rt_check_finite(const float *first, const int64_t *layout, const char *site);
}

namespace loom::rt {

/// One call of a checked export: NumericsGuard g(...); check inputs; call; g.finish().
class NumericsGuard {
public:
  /// Forgets this thread's record, checks that the parameters (and `state`)
  /// are finite (a checkpoint or set() may have brought in a NaN: an Error
  /// names it) and keeps a copy of them, the stores the call may update
  /// (`state`: a train step's optimizer state, else null). `call`
  /// ("mnist::Model::sgd") and `step` (0: none) go into the messages.
  NumericsGuard(std::string call, int64_t step, ParamStore &params, ParamStore *state);
  /// An input of the call: an Error names it and its first non-finite element.
  void input(const char *name, const float *values, std::initializer_list<long> shape) const;
  /// After the call: if an op produced a non-finite value, puts the stores
  /// back as they were and throws an Error naming the op, its model-source
  /// line, the element and the step.
  void finish();

private:
  std::string where() const;
  std::string call_;
  int64_t step_;
  ParamStore *params_, *state_; // params_ never null
  std::vector<std::vector<std::byte>> saved_;
};

} // namespace loom::rt
