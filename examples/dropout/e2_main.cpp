// E2: dropout (Bernoulli keep-mask, no rescaling) as Tikhonov regularisation.
#include "../common/args.hpp"
#include "e2.hpp"

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

int main(int argc, char **argv) {
  const std::string out = examples::parse_args(argc, argv, "dropout_tikhonov", "E2: dropout as Tikhonov regularisation.", "out/dropout").out;
  std::ostringstream md;
  char b[256];
  auto line = [&](const std::string &s) { std::printf("%s\n", s.c_str()), md << s << "\n"; };
  const double p = 0.7; // keep probability
  e2::Problem P;
  tikhonov::Model m(7);

  line("# E2: dropout as Tikhonov regularisation");
  line("");
  std::snprintf(b, sizeof b, "Random X (%d x %d, columns of different norms), y and w; keep probability p = %.1f.", e2::N, e2::D, p);
  line(b);
  line("Identity: E_R ||y - (R * X) w||^2 = ||y - p X w||^2 + p(1-p) ||G w||^2, G = diag(column norms of X).");
  line("");
  line("## Monte Carlo (masks from the compiled model's Philox stream)");
  line("| masks | estimate of the left side | right side | relative difference | relative standard error |");
  line("|---|---|---|---|---|");
  for (auto &r : e2::monte_carlo(m, P, p, {256, 2560, 25600, 256000, 1024000})) {
    std::snprintf(b, sizeof b, "| %ld | %.4f | %.4f | %.2e | %.2e |", r.samples, r.estimate, r.rhs,
                  std::abs(r.estimate - r.rhs) / r.rhs, r.std_error / r.rhs);
    line(b);
  }
  line("The estimate stays within about two standard errors of the right side, and the standard error");
  line("shrinks as 1/sqrt(masks): the estimate converges to the right side.");
  line("");
  line("## Training with this dropout, then scaling by p");
  auto w = e2::train(m, P, p, 3000);
  auto ridge = e2::generalized_ridge(P, (1 - p) / p);
  line("| j | p * w_dropout (trained) | generalised ridge, lambda = (1-p)/p |");
  line("|---|---|---|");
  double err = 0, norm = 0;
  for (int j = 0; j < e2::D; ++j) {
    std::snprintf(b, sizeof b, "| %d | %.4f | %.4f |", j, p * w[j], ridge[j]);
    line(b);
    err += (p * w[j] - ridge[j]) * (p * w[j] - ridge[j]), norm += ridge[j] * ridge[j];
  }
  std::snprintf(b, sizeof b, "relative difference %.2e (3000 SGD steps, %d masks each)", std::sqrt(err / norm), e2::K);
  line(b);
  line("");
  line("With columns rescaled to equal norm c, G = c I and the problem is classical ridge regression with");
  line("lambda = c^2 (1-p)/p: the penalty no longer depends on the column, as it does above.");
  std::ofstream(out + "/tikhonov.md") << md.str();
  std::printf("wrote %s/tikhonov.md\n", out.c_str());
  return 0;
}
