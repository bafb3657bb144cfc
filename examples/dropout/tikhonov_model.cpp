// E2: dropout without rescaling as Tikhonov regularisation. Each keep-mask R
// (Bernoulli(p) per entry of X) gives the loss ||y - (R * X) w||^2; K masks
// are drawn per call from the step's Philox stream.
#include <loom/loom.hpp>

using namespace loom;

constexpr long N = 20, D = 5, K = 256;

/// ||y - (R * X) w||^2 for K fresh masks R.
template <class W> Tensor<f32, K> masked_losses(const Tensor<f32, N, D> &X, const Tensor<f32, N> &y, const W &w,
                                                const Tensor<f32> &keep) {
  auto XK = broadcast_to<K, N, D>(X);
  auto R = cast<f32>(less(rand_like(XK), broadcast_to<K, N, D>(keep)));
  auto r = broadcast_to<K, N>(y) - sum<2>(R * XK * w);
  return sum<1>(r * r);
}

LOOM_GENERATOR(tikhonov) {
  // Monte Carlo of the left side for a given w (its gradient is unused).
  export_gradient("mc", [](In<"X", f32, N, D> X, In<"y", f32, N> y, In<"w", f32, D> w, In<"keep", f32> keep) {
    auto l = masked_losses(X, y, w, keep);
    return std::tuple{out<"loss">(mean(l)), out<"per_mask">(l)};
  });
  // Training w under that dropout.
  Param<f32, D> w{"w", init::zeros()};
  export_train_step("fit", [&](In<"X", f32, N, D> X, In<"y", f32, N> y, In<"keep", f32> keep) {
    return mean(masked_losses(X, y, w, keep));
  }, SGD{});
}
