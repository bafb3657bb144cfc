// E4's claims that carry the homework's point, on the compiled CNN and MLP
// (examples/edge_detection).
#include "e4.hpp"

#include <doctest/doctest.h>

TEST_CASE("Q1: both networks fit 10 images per class perfectly") {
  edges::Model m(11);
  auto train = e4::generate(10, 1);
  auto cnn = e4::net(m, "cnn"), mlp = e4::net(m, "mlp");
  e4::train(cnn, train, 500, 30, 5);
  e4::train(mlp, train, 500, 30, 5);
  CHECK(e4::accuracy(cnn, train) == 1.0);
  CHECK(e4::accuracy(mlp, train) == 1.0);
  CHECK(cnn.params == 606);
  CHECK(mlp.params == 39793);
}

TEST_CASE("Q3: the CNN reaches 90% validation accuracy with 20 images per class") {
  edges::Model m(33);
  auto cnn = e4::net(m, "cnn");
  e4::train(cnn, e4::generate(20, 120), 300, 10, 8);
  double acc = e4::accuracy(cnn, e4::generate(50, 999));
  MESSAGE("CNN, 20 per class: " << acc);
  CHECK(acc >= 0.9);
}

TEST_CASE("Q5: on permuted pixels the MLP beats the CNN") {
  auto perm = e4::random_permutation(55);
  e4::GenOptions o{.permutation = &perm};
  auto train = e4::generate(100, 500, o), val = e4::generate(50, 501, o);
  edges::Model m(55);
  auto cnn = e4::net(m, "cnn"), mlp = e4::net(m, "mlp");
  e4::train(cnn, train, 100, 10, 11);
  e4::train(mlp, train, 100, 10, 11);
  double c = e4::accuracy(cnn, val), p = e4::accuracy(mlp, val);
  MESSAGE("permuted: CNN " << c << ", MLP " << p);
  CHECK(p > c + 0.05);
}

TEST_CASE("Q4: under domain shift the CNN keeps most of its accuracy; the MLP swaps vertical and horizontal") {
  e4::GenOptions first{.region = e4::GenOptions::first_half}, second{.region = e4::GenOptions::second_half};
  auto train = e4::generate(100, 400, first), shifted = e4::generate(50, 401, second);
  edges::Model m(44);
  auto cnn = e4::net(m, "cnn"), mlp = e4::net(m, "mlp");
  e4::train(cnn, train, 100, 10, 10);
  e4::train(mlp, train, 100, 10, 10);
  auto c = e4::confusion(cnn, shifted), p = e4::confusion(mlp, shifted);
  double cnn_acc = e4::accuracy(cnn, shifted), mlp_acc = e4::accuracy(mlp, shifted);
  MESSAGE("shifted: CNN " << cnn_acc << ", MLP " << mlp_acc);
  CHECK(cnn_acc > mlp_acc + 0.3);
  int mlp_errors = 100 - p[0][0] - p[1][1], swaps = p[0][1] + p[1][0];
  CHECK(swaps > 0.8 * mlp_errors); // the MLP's errors on edges are horizontal <-> vertical
  CHECK(p[2][2] == 50);            // and it still recognises "none"
}

TEST_CASE("Q4: after brief training the CNN's errors on shifted edges go mostly to \"none\"") {
  // The homework's claim, in the regime where it holds: 30 epochs, errors summed
  // over four runs (the example prints 73 to "none" against 37; after 100 epochs
  // the errors go the other way, 24 against 39: see examples/edge_detection/README.md).
  auto [to_none, to_other] = e4::shift_errors(30, 4);
  MESSAGE("CNN errors on shifted edges after 30 epochs, 4 runs: " << to_none << " to none, " << to_other << " to the other orientation");
  CHECK(to_none > to_other);
}
