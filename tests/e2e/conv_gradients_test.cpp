// E3's claims, on loom's compiled gradients (examples/conv_gradients).
#include "e3.hpp"

#include <doctest/doctest.h>

TEST_CASE("a: dw is the valid cross-correlation of X with dY") {
  conv_grads::Model m;
  for (uint64_t seed : {1, 2, 3}) {
    loom::rt::Array<float, 1, 1, 8, 8> x;
    loom::rt::Array<float, 1, 1, 3, 3> w;
    loom::rt::Array<float, 1, 1, 6, 6> dy;
    e3::Draws r{loom::rt::Philox4x32::key(seed), 0};
    for (long i = 0; i < x.numel; ++i) x[i] = r.next(e3::Dist::gaussian, 1);
    for (long i = 0; i < w.numel; ++i) w[i] = r.next(e3::Dist::gaussian, 1); // dw does not depend on w
    for (long i = 0; i < dy.numel; ++i) dy[i] = r.next(e3::Dist::uniform, 1);
    auto ref = e3::cross_correlation(x, dy, 8, 3);
    auto g = m.dw8(x, w, dy);
    for (int i = 0; i < 9; ++i) CHECK(g.grad_w[i] == doctest::Approx(ref[i]).epsilon(1e-5));
  }
}

TEST_CASE("b: Std(dw) = (n - k + 1) s_x s_g, for Gaussian and uniform inputs") {
  conv_grads::Model m;
  for (auto dist : {e3::Dist::gaussian, e3::Dist::uniform}) {
    auto pts = e3::sweep(m, dist, 4);
    for (auto &p : pts) CHECK(p.std_dw == doctest::Approx(p.theory).epsilon(0.06));
    CHECK(e3::slope(pts) == doctest::Approx(0.5).epsilon(0.03));
  }
}

TEST_CASE("c: max pooling's gradient goes to the first maximum of each window, average pooling's is shared") {
  conv_grads::Model m;
  loom::rt::Array<float, 1, 1, 6, 6> x;
  loom::rt::Array<float, 1, 1, 3, 3> dy;
  for (long i = 0; i < 36; ++i) x[i] = float((i * 7) % 5); // many ties
  for (long i = 0; i < 9; ++i) dy[i] = float(i + 1);
  auto mp = m.max_pool(x, dy).grad_x, ap = m.avg_pool(x, dy).grad_x;
  for (int wi = 0; wi < 3; ++wi)
    for (int wj = 0; wj < 3; ++wj) {
      // The first maximum in row-major window order.
      int best = 0;
      for (int k = 1; k < 4; ++k)
        if (x(0, 0, 2 * wi + k / 2, 2 * wj + k % 2) > x(0, 0, 2 * wi + best / 2, 2 * wj + best % 2)) best = k;
      for (int k = 0; k < 4; ++k) {
        int i = 2 * wi + k / 2, j = 2 * wj + k % 2;
        CHECK(mp(0, 0, i, j) == (k == best ? dy(0, 0, wi, wj) : 0.0f));
        CHECK(ap(0, 0, i, j) == doctest::Approx(dy(0, 0, wi, wj) / 4));
      }
    }
}
