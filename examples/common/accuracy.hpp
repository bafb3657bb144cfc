// A classifier's accuracy on a dataset, for the examples' reports.
#pragma once

#include <loom/rt/data.hpp>

#include <algorithm>
#include <vector>

namespace examples {

/// The fraction of `d`'s images (its whole batches of B) whose largest of the
/// K scores is their label (the first largest, on ties). `predict(images,
/// scores)` writes the B x K scores of the B images starting at `images`.
template <long B, long K, class Predict> double accuracy(const loom::rt::Dataset &d, Predict &&predict) {
  const long n = d.n / B * B;
  long right = 0;
  std::vector<float> scores(B * K);
  for (long s = 0; s < n; s += B) {
    predict(d.image(s), scores.data());
    for (long k = 0; k < B; ++k) {
      const float *row = scores.data() + k * K;
      right += std::max_element(row, row + K) - row == d.labels[s + k];
    }
  }
  return double(right) / double(n);
}

} // namespace examples
