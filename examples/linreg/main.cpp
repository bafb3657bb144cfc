// Evaluates the compiled y_hat = x . w with the minimum-norm least-squares
// weights of the homework's example (x = [10, 1], y = 11) and a few other inputs.
#include "../common/args.hpp"
#include "linreg.h"

#include <cstdio>

int main(int argc, char **argv) {
  examples::parse_args(argc, argv, "linreg", "Evaluates a compiled least-squares predictor.", ""); // --device
  linreg::Model model;
  const float w[2] = {1.08910891f, 0.10891089f}; // (X^T X)^+ X^T y for X = [10 1], y = 11
  model.params().set("w", w);
  loom::rt::Array<float, 4, 2> x;
  const float rows[4][2] = {{10, 1}, {20, 2}, {0, 1}, {1, 0}};
  for (int i = 0; i < 4; ++i) x(i, 0) = rows[i][0], x(i, 1) = rows[i][1];
  auto y = model.predict(x);
  std::printf("linreg: w = [%.8f, %.8f]\n", w[0], w[1]);
  for (int i = 0; i < 4; ++i) std::printf("  x = [%4.1f, %4.1f] -> y_hat = %.6f\n", x(i, 0), x(i, 1), y[i]);
  return 0;
}
