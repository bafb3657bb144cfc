// Every example's model on the GPU against the same model on the CPU: same
// seed, same inputs, a few calls (train steps where it has them), then the
// outputs and the parameters compared. Registered as gpu/gpu_parity_test with
// LOOM_DEVICE=cuda: it skips (exit 77) where there is no GPU.
//
// Tolerance: |gpu - cpu| <= 1e-4 + 1e-3 |cpu| for every value (reductions sum
// in another order on the GPU, and exp/log use the GPU's own approximations).
// Dropout masks come from the same Philox stream on both: a single different
// mask element would move a loss far more than this.
#include "cheat.h"
#include "conv_grads.h"
#include "dropout_lr.h"
#include "edges.h"
#include "linreg.h"
#include "mlp.h"
#include "tikhonov.h"

#include <doctest/doctest.h>

#include <cmath>
#include <vector>

using loom::rt::Device;

namespace {

/// Deterministic inputs in [lo, hi).
template <class A> void fill(A &a, float lo, float hi, int salt = 0) {
  for (long i = 0; i < a.numel; ++i) a[i] = lo + (hi - lo) * std::fmod(0.618034f * (i + 1 + 7 * salt) + 0.1f * salt, 1.0f);
}

void compare(const std::string &what, const std::vector<float> &cpu, const std::vector<float> &gpu) {
  REQUIRE(cpu.size() == gpu.size());
  double worst = 0;
  long bad = 0;
  for (size_t i = 0; i < cpu.size(); ++i) {
    double err = std::abs(double(gpu[i]) - cpu[i]), tol = 1e-4 + 1e-3 * std::abs(cpu[i]);
    worst = std::max(worst, err / tol);
    bad += !(err <= tol); // NaN counts as bad
  }
  MESSAGE(what << ": " << cpu.size() << " values, worst error " << worst << " of the tolerance");
  CHECK_MESSAGE(bad == 0, what << ": " << bad << " values differ");
}

template <class A> void append(std::vector<float> &v, const A &a) { v.insert(v.end(), a.data(), a.data() + a.numel); }

/// Runs `calls` on the model on each device; compares what it returns and every f32 parameter.
template <class Model, class Calls> void parity(const char *what, Calls calls) {
  Model cpu(7, Device::cpu), gpu(7, Device::cuda);
  compare(what, calls(cpu), calls(gpu));
  std::vector<float> pc, pg;
  for (std::size_t i = 0; i < cpu.params().size(); ++i) {
    if (cpu.params().spec(i).dtype != loom::rt::DType::f32) continue;
    auto name = cpu.params().spec(i).name;
    auto a = cpu.params().template values<float>(name), b = gpu.params().template values<float>(name);
    pc.insert(pc.end(), a.begin(), a.end()), pg.insert(pg.end(), b.begin(), b.end());
  }
  compare(std::string(what) + ", parameters", pc, pg);
}

} // namespace

TEST_CASE("mlp and linreg: forward passes") {
  parity<mlp::Model>("mlp predict", [](mlp::Model &m) {
    loom::rt::Array<float, 64, 784> x;
    fill(x, 0, 1);
    std::vector<float> out;
    append(out, m.predict(x));
    return out;
  });
  parity<linreg::Model>("linreg predict", [](linreg::Model &m) {
    loom::rt::Array<float, 4, 2> x;
    fill(x, -1, 1);
    std::vector<float> out;
    append(out, m.predict(x));
    return out;
  });
}

TEST_CASE("dropout (E1): SGD and Adam steps with dropout 0.5") {
  parity<dropout_lr::Model>("dropout_lr train steps", [](dropout_lr::Model &m) {
    loom::rt::Array<float, 1024, 2> x;
    loom::rt::Array<float, 1024> y;
    loom::rt::Array<float> p;
    fill(x, -1, 1), fill(y, -2, 2, 1), p[0] = 0.5f;
    std::vector<float> losses;
    for (int s = 0; s < 5; ++s) losses.push_back(m.sgd_b1024(x, y, p, 0.05f));
    for (int s = 0; s < 5; ++s) losses.push_back(m.adam_b1024(x, y, p, 0.01f));
    return losses;
  });
}

TEST_CASE("dropout as Tikhonov (E2): the per-mask losses and gradients") {
  parity<tikhonov::Model>("tikhonov mc", [](tikhonov::Model &m) {
    loom::rt::Array<float, 20, 5> X;
    loom::rt::Array<float, 20> y;
    loom::rt::Array<float, 5> w;
    loom::rt::Array<float> keep;
    fill(X, -1, 1), fill(y, -1, 1, 1), fill(w, -0.5, 0.5, 2), keep[0] = 0.5f;
    auto r = m.mc(X, y, w, keep);
    std::vector<float> out;
    append(out, r.loss), append(out, r.per_mask), append(out, r.grad_X), append(out, r.grad_w);
    return out;
  });
}

TEST_CASE("cheating feature (E1 i): ConvNet train steps with dropout 0.75") {
  parity<cheat::Model>("cheat train steps", [](cheat::Model &m) {
    loom::rt::Array<float, 64, 1, 28, 28> x;
    loom::rt::Array<int64_t, 64> labels;
    loom::rt::Array<float> p;
    fill(x, 0, 1);
    for (long i = 0; i < 64; ++i) labels[i] = i % 10;
    p[0] = 0.75f;
    std::vector<float> out;
    for (int s = 0; s < 3; ++s) out.push_back(m.train(x, labels, p, 0.01f));
    loom::rt::Array<float, 100, 1, 28, 28> xt;
    fill(xt, 0, 1, 3);
    append(out, m.predict(xt));
    return out;
  });
}

TEST_CASE("convolution gradients (E3): dw of a 256-channel convolution, pooling backward") {
  parity<conv_grads::Model>("conv_grads", [](conv_grads::Model &m) {
    loom::rt::Array<float, 1, 256, 16, 16> x;
    loom::rt::Array<float, 256, 1, 3, 3> w;
    loom::rt::Array<float, 1, 256, 14, 14> dy;
    fill(x, -1, 1), fill(w, -1, 1, 1), fill(dy, -1, 1, 2);
    auto r = m.dw_n16(x, w, dy);
    loom::rt::Array<float, 1, 1, 6, 6> px;
    loom::rt::Array<float, 1, 1, 3, 3> pdy;
    fill(px, 0, 1, 3), fill(pdy, 0, 1, 4);
    std::vector<float> out;
    append(out, r.grad_w), append(out, r.grad_x);
    append(out, m.max_pool(px, pdy).grad_x), append(out, m.avg_pool(px, pdy).grad_x);
    return out;
  });
}

TEST_CASE("edge detection (E4): CNN and MLP train steps") {
  parity<edges::Model>("edges train steps", [](edges::Model &m) {
    loom::rt::Array<float, 10, 1, 28, 28> x;
    loom::rt::Array<int64_t, 10> labels;
    fill(x, 0, 1);
    for (long i = 0; i < 10; ++i) labels[i] = i % 3;
    std::vector<float> out;
    for (int s = 0; s < 5; ++s) out.push_back(m.cnn_train10(x, labels, 0.01f).loss[0]);
    for (int s = 0; s < 5; ++s) out.push_back(m.mlp_train10(x, labels, 0.01f).loss[0]);
    loom::rt::Array<float, 50, 1, 28, 28> xv;
    fill(xv, 0, 1, 5);
    append(out, m.cnn_predict(xv)), append(out, m.mlp_predict(xv));
    return out;
  });
}
