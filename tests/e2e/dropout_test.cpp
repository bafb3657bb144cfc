// E1's claims, measured on the compiled train steps (examples/dropout).
#include "e1.hpp"

#include <doctest/doctest.h>

#include <cmath>

namespace {
double dist(const e1::W &a, const e1::W &b) { return std::hypot(a.w1 - b.w1, a.w2 - b.w2); }
} // namespace

TEST_CASE("a: closed-form least squares is the minimum-norm solution") {
  auto a = e1::closed_form();
  CHECK(std::abs(a.w1 - 1.08910891) < 1e-6);
  CHECK(std::abs(a.w2 - 0.10891089) < 1e-6);
}

TEST_CASE("b: gradient descent from zero finds it too") {
  auto b = e1::train<1>(e1::Optim::sgd, 0.0, 1000);
  CHECK(std::abs(b.w.w1 - 1.0891) < 1e-3);
  CHECK(std::abs(b.w.w2 - 0.1089) < 1e-3);
}

TEST_CASE("c: dropout as least squares over the four masks") {
  auto c = e1::dropout_least_squares();
  CHECK(std::abs(c.w1 - 0.36666667) < 1e-6);
  CHECK(std::abs(c.w2 - 3.66666667) < 1e-6);
}

TEST_CASE("d, e: batch 1 is spiky and wanders; batch 1024 lands near c") {
  auto c = e1::dropout_least_squares();
  auto d = e1::train<1>(e1::Optim::sgd, 0.5, 1000);
  auto e = e1::train<1024>(e1::Optim::sgd, 0.5, 1000);
  MESSAGE("batch 1: [" << d.w.w1 << ", " << d.w.w2 << "], batch 1024: [" << e.w.w1 << ", " << e.w.w2 << "]");
  CHECK(dist(e.w, c) < 0.25);          // reference run: [0.3828, 3.4733], 0.2 from c
  CHECK(std::abs(e.w.w1 - c.w1) < 0.03);
  // Spikiness: mean absolute step-to-step change of the loss over the last 500 steps.
  auto jitter = [](const std::vector<float> &l) {
    double s = 0;
    for (size_t i = l.size() - 500; i < l.size(); ++i) s += std::abs(l[i] - l[i - 1]);
    return s / 500;
  };
  CHECK(jitter(d.losses) > 10 * jitter(e.losses));
}

TEST_CASE("g: trained weights follow the analytic minimiser of the expected dropout loss") {
  for (double p : {0.0, 0.1, 0.3, 0.5, 0.7}) {
    auto run = e1::train<1024>(e1::Optim::sgd, p, 10000);
    auto an = e1::analytic_dropout(p);
    MESSAGE("p = " << p << ": trained [" << run.w.w1 << ", " << run.w.w2 << "], analytic [" << an.w1 << ", " << an.w2 << "]");
    CHECK(dist(run.w, an) < 0.03 * std::hypot(an.w1, an.w2));
  }
  // The jump at p = 0: the minimum-norm solution is far from the p -> 0 limit.
  CHECK(dist(e1::analytic_dropout(0.0), e1::analytic_dropout(0.001)) > 4);
  CHECK(dist(e1::analytic_dropout(0.1), e1::analytic_dropout(0.11)) < 0.2);
}

TEST_CASE("h: Adam and SGD agree with dropout; without it Adam ends near w1 = w2") {
  auto sgd0 = e1::train<1024>(e1::Optim::sgd, 0.0, 10000), adam0 = e1::train<1024>(e1::Optim::adam, 0.0, 10000);
  auto sgd5 = e1::train<1024>(e1::Optim::sgd, 0.5, 10000), adam5 = e1::train<1024>(e1::Optim::adam, 0.5, 10000);
  CHECK(dist(sgd5.w, adam5.w) < 0.05);
  CHECK(std::abs(adam0.w.w1 - adam0.w.w2) < 0.05);
  CHECK(dist(sgd0.w, e1::closed_form()) < 1e-3);
  CHECK(dist(adam0.w, e1::closed_form()) > 0.5);
}
