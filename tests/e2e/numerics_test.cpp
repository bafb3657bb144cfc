// The NaN guard (CHECK_NUMERICS): the first non-finite value of a call is an
// Error naming the op, its model-source line, the element and the step; the
// parameters and optimizer state are as before the call, and the step is not
// counted. Checked code computes what unchecked code does.
#include "numerics.h"
#include "numerics_plain.h"

#include <doctest/doctest.h>

#include <cmath>
#include <fstream>
#include <limits>
#include <string>
#include <vector>

namespace {

/// "model.cpp:LINE:" of the model-source line holding `marker`.
std::string site(const std::string &marker) {
  std::ifstream in(LOOM_NUMERICS_MODEL);
  std::string line;
  for (int n = 1; std::getline(in, line); ++n)
    if (line.find(marker) != std::string::npos) return std::string(LOOM_NUMERICS_MODEL) + ":" + std::to_string(n) + ":";
  FAIL("no line with '" << marker << "' in " << LOOM_NUMERICS_MODEL);
  return {};
}

template <class F> std::string error_of(F &&f) {
  try {
    f();
  } catch (const loom::rt::Error &e) {
    return e.what();
  }
  return "(no error)";
}

std::vector<float> positive() {
  std::vector<float> x(12);
  for (int i = 0; i < 12; ++i) x[i] = 0.5f + 0.25f * i;
  return x;
}
const std::vector<int64_t> labels{0, 1, 1, 0};

std::vector<float> values(loom::rt::ParamStore &p, const char *name) {
  auto v = p.values<float>(name);
  return {v.begin(), v.end()};
}

} // namespace

TEST_CASE("checked calls compute what unchecked calls do") {
  CHECK(numerics::checks_numerics);
  CHECK_FALSE(numerics_plain::checks_numerics);
  numerics::Model a(7);
  numerics_plain::Model b(7);
  for (int i = 0; i < 3; ++i) CHECK(a.sgd(positive(), labels, 0.1f) == doctest::Approx(b.sgd(positive(), labels, 0.1f)).epsilon(1e-6));
  std::vector<float> wa = values(a.params(), "fc.weight"), wb = values(b.params(), "fc.weight");
  for (size_t i = 0; i < wa.size(); ++i) CHECK(wa[i] == doctest::Approx(wb[i]).epsilon(1e-6));
  CHECK(a.log().steps("sgd") == 3);
}

TEST_CASE("a NaN in the forward pass stops the step: the op, its line, the element, the step") {
  numerics::Model m(7);
  m.sgd(positive(), labels, 0.1f);
  m.sgd(positive(), labels, 0.1f);
  std::vector<float> w = values(m.params(), "fc.weight"), v = values(m.optimizer_state(), "sgd.fc.weight.momentum_buffer");
  std::vector<float> x = positive();
  x[5] = -1; // element [1, 2]
  std::string msg = error_of([&] { m.sgd(x, labels, 0.1f); });
  CHECK(msg.find("numerics::Model::sgd (step 3): log at " + site("site: log")) == 0);
  CHECK(msg.find("produced nan at element [1,2] of its f32[4,3] output") != std::string::npos);
  CHECK(msg.find("the parameters and optimizer state are as they were before it") != std::string::npos);
  INFO(msg);
  // The step is undone: parameters, momentum and the step count as before it.
  CHECK(values(m.params(), "fc.weight") == w);
  CHECK(values(m.optimizer_state(), "sgd.fc.weight.momentum_buffer") == v);
  CHECK(m.log().steps("sgd") == 2);
  CHECK(m.log().losses("sgd").size() == 2);
  // The next good step is step 3, and runs.
  CHECK(std::isfinite(m.sgd(positive(), labels, 0.1f)));
  CHECK(m.log().steps("sgd") == 3);
}

TEST_CASE("an Inf in the backward pass names the gradient of the op") {
  numerics::Model m(7);
  std::vector<float> scale = values(m.params(), "scale");
  std::vector<float> x = positive();
  x[3] = 0; // sqrt(0) is finite, its derivative is not
  std::string msg = error_of([&] { m.root(x, 0.1f); });
  INFO(msg);
  CHECK(msg.find("numerics::Model::root (step 1): gradient of sqrt at " + site("site: sqrt")) == 0);
  CHECK(msg.find("produced inf at element [1,0]") != std::string::npos);
  CHECK(values(m.params(), "scale") == scale);
  CHECK(m.log().steps("root") == 0);
}

TEST_CASE("forward exports, inputs and parameters are checked too") {
  numerics::Model m(7);
  std::vector<float> x = positive();
  x[0] = -2;
  std::string msg = error_of([&] { m.predict(x); });
  CHECK(msg.find("numerics::Model::predict: log at " + site("site: predict")) == 0);
  CHECK(msg.find("produced nan at element [0,0] of its f32[4,3] output") != std::string::npos);
  // Into a caller's buffer, the same.
  std::vector<float> y(12);
  CHECK(error_of([&] { m.predict(x, y); }) == msg);

  x = positive();
  x[1] = std::numeric_limits<float>::quiet_NaN();
  CHECK(error_of([&] { m.sgd(x, labels, 0.1f); }) == "numerics::Model::sgd (step 1): input 'x' holds nan at element [0,1]");

  m.params().values<float>("fc.bias")[1] = -std::numeric_limits<float>::infinity();
  CHECK(error_of([&] { m.sgd(positive(), labels, 0.1f); }) ==
        "numerics::Model::sgd (step 1): parameter 'fc.bias' holds -inf at element [1] before the call (from a checkpoint, or set()?)");
}
