// E2: the dropout = Tikhonov identity by Monte Carlo, and p * w_dropout = generalised ridge.
#include "e2.hpp"

#include <doctest/doctest.h>

TEST_CASE("Monte Carlo converges to ||y - pXw||^2 + p(1-p)||Gw||^2") {
  e2::Problem P;
  tikhonov::Model m(3);
  for (double p : {0.3, 0.7}) {
    auto rows = e2::monte_carlo(m, P, p, {2560, 25600, 102400});
    for (auto &r : rows) {
      MESSAGE("p = " << p << ", " << r.samples << " masks: estimate " << r.estimate << ", right side " << r.rhs
                     << ", standard error " << r.std_error);
      CHECK(std::abs(r.estimate - r.rhs) < 4 * r.std_error);
    }
    CHECK(rows.back().std_error < 0.25 * rows.front().std_error); // 40x the masks: about 1/sqrt(40) the error
    CHECK(rows.back().std_error < 1e-3 * rows.back().rhs);
  }
}

TEST_CASE("p * w_dropout is the generalised ridge solution with lambda = (1-p)/p") {
  e2::Problem P;
  tikhonov::Model m(4);
  const double p = 0.7;
  auto w = e2::train(m, P, p, 3000);
  auto ridge = e2::generalized_ridge(P, (1 - p) / p);
  auto plain = e2::generalized_ridge(P, 0.0); // least squares, for scale
  double err = 0, norm = 0, far = 0;
  for (int j = 0; j < e2::D; ++j) {
    err += (p * w[j] - ridge[j]) * (p * w[j] - ridge[j]);
    norm += ridge[j] * ridge[j];
    far += (plain[j] - ridge[j]) * (plain[j] - ridge[j]);
  }
  MESSAGE("relative difference " << std::sqrt(err / norm) << "; least squares is " << std::sqrt(far / norm) << " away");
  CHECK(std::sqrt(err / norm) < 0.02);
  CHECK(std::sqrt(far / norm) > 0.2); // the regulariser matters for this problem
}
