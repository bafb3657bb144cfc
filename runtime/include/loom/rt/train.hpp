// What a model's train steps need from the runtime: step counts and loss
// history, safetensors checkpoints, and finite-difference gradient checks.
#pragma once

#include "loom/rt/memory.hpp"
#include "loom/rt/params.hpp"

#include <cstdint>
#include <functional>
#include <map>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace loom::rt {

/// Steps taken and losses seen, per train export.
class TrainLog {
public:
  /// Steps of `exported` done so far (the next one is number steps() + 1: 1 for the first, as PyTorch's optimizers).
  int64_t steps(const std::string &exported) const {
    auto it = steps_.find(exported);
    return it == steps_.end() ? 0 : it->second;
  }
  /// Counts a finished step of `exported` and its loss (a step that fails is not counted).
  void record(const std::string &exported, float loss) {
    ++steps_[exported];
    losses_[exported].push_back(loss);
  }
  const std::vector<float> &losses(const std::string &exported) const {
    static const std::vector<float> none;
    auto it = losses_.find(exported);
    return it == losses_.end() ? none : it->second;
  }
  std::map<std::string, int64_t> &step_counts() { return steps_; }

private:
  std::map<std::string, int64_t> steps_;
  std::map<std::string, std::vector<float>> losses_;
};

/// Writes parameters, optimizer state (keys as the stores name them) and step
/// counts (metadata "loom.steps.<export>") as a safetensors file that
/// PyTorch's safetensors loader reads. Crash-safe: written to PATH.tmp,
/// fsync'd, renamed over PATH and the directory fsync'd, so PATH always holds
/// a whole checkpoint, the old one or the new. In a data-parallel run only
/// rank 0 writes (the others return at once).
void save_checkpoint(const std::string &path, ParamStore &params, ParamStore &state, TrainLog &log);

/// Restores a checkpoint written by save_checkpoint, or a PyTorch state_dict
/// saved with safetensors (names as PyTorch's: "conv1.weight",
/// "layer1.0.bn1.running_mean"). Every parameter and buffer must be there with
/// its dtype and shape. Optimizer state and step counts are restored where the
/// file has them and reset (zeros, step 0) where it has not. Skipped: PyTorch's
/// "*.num_batches_tracked" (loom does not count batches) and optimizer state
/// of exports the model does not have. Anything else unknown is an error. On
/// any error it throws naming the file, the tensor and the problem, and leaves
/// the stores unchanged.
void load_checkpoint(const std::string &path, ParamStore &params, ParamStore &state, TrainLog &log);

/// The parameters and buffers only (as load_checkpoint checks them); the
/// optimizer state and step counts are reset, as for a fresh optimizer.
void load_weights(const std::string &path, ParamStore &params, ParamStore &state, TrainLog &log);

/// A model's summary as text: its parameters grouped by layer (the name up to
/// the last '.'), with shapes and element counts, trainable and frozen
/// (buffers), the totals in elements and bytes, then each export's memory plan.
std::string summary(const std::string &model, const ParamStore &params, std::span<const MemoryPlan> plans);

/// The result of comparing compiled gradients with finite differences.
struct GradCheck {
  int checked = 0;
  double max_error = 0; // max over elements of |analytic - numeric| / max(1, |analytic|, |numeric|)
  std::string worst;    // "param[index]: analytic a, numeric n"
  bool ok(double tolerance = 1e-2) const { return checked > 0 && max_error <= tolerance; }
};

/// Central differences of `loss` for `samples` elements of each listed
/// parameter (index into `params`, its compiled gradient), chosen
/// deterministically; parameters are restored exactly.
GradCheck grad_check(ParamStore &params, std::vector<std::pair<std::size_t, std::span<const float>>> grads,
                     const std::function<double()> &loss, int samples, double eps);

} // namespace loom::rt
