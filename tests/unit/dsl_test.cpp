// The DSL: result types computed at compile time, and the graph it traces.
#include <loom/loom.hpp>

#include <doctest/doctest.h>

using namespace loom;

// ---- shapes flow through the types (checked by the compiler) -----------------------
using X = Tensor<f32, 64, 784>;
static_assert(std::is_same_v<decltype(matmul(std::declval<X>(), std::declval<Tensor<f32, 784, 10>>())),
                             Tensor<f32, 64, 10>>);
static_assert(std::is_same_v<decltype(std::declval<Tensor<f32, 8, 1, 3>>() + std::declval<Tensor<f32, 5, 1>>()),
                             Tensor<f32, 8, 5, 3>>);
static_assert(std::is_same_v<decltype(sum<1>(std::declval<Tensor<f32, 2, 3, 4>>())), Tensor<f32, 2, 4>>);
static_assert(std::is_same_v<decltype(mean<-1>(std::declval<Tensor<f32, 2, 3, 4>>())), Tensor<f32, 2, 3>>);
static_assert(std::is_same_v<decltype(max(std::declval<Tensor<f32, 2, 3>>())), Tensor<f32>>);
static_assert(std::is_same_v<decltype(reshape<-1, 4>(std::declval<Tensor<f32, 2, 3, 4>>())), Tensor<f32, 6, 4>>);
static_assert(std::is_same_v<decltype(permute<2, 0, 1>(std::declval<Tensor<f32, 2, 3, 4>>())), Tensor<f32, 4, 2, 3>>);
static_assert(std::is_same_v<decltype(transpose(std::declval<Tensor<f32, 2, 3, 4>>())), Tensor<f32, 2, 4, 3>>);
static_assert(std::is_same_v<decltype(concat<1>(std::declval<Tensor<f32, 2, 3>>(), std::declval<Tensor<f32, 2, 5>>())),
                             Tensor<f32, 2, 8>>);
static_assert(std::is_same_v<decltype(slice<1, 1, 8, 3>(std::declval<Tensor<f32, 2, 8>>())), Tensor<f32, 2, 3>>);
static_assert(std::is_same_v<decltype(flatten(std::declval<Tensor<f32, 4, 1, 28, 28>>())), Tensor<f32, 4, 784>>);
static_assert(std::is_same_v<decltype(matmul(std::declval<Tensor<f32, 2, 3, 4>>(), std::declval<Tensor<f32, 2, 4, 5>>())),
                             Tensor<f32, 2, 3, 5>>);
static_assert(Tensor<f32, 2, 3, 4>::numel == 24 && Tensor<f32>::numel == 1);

namespace {
const graph::Node &node(const graph::Function &f, int id) { return f.nodes.at(id); }
} // namespace

TEST_CASE("tracing records one node per op, explicit broadcasts and named arguments") {
  auto m = detail::trace("t", [] {
    Param<f32, 3> b{"b", init::ones()};
    export_function("f", [&](In<"x", f32, 2, 3> x) { return out<"y">(relu(x + b) * 2.0f); });
  });
  REQUIRE(m.functions.size() == 1);
  const auto &f = m.functions[0];
  CHECK(f.name == "f");
  REQUIRE(f.inputs.size() == 1);
  CHECK(node(f, f.inputs[0]).name == "x");
  CHECK(node(f, f.inputs[0]).type.shape == std::vector<int64_t>{2, 3});
  REQUIRE(f.params.size() == 1);
  CHECK(node(f, f.params[0]).name == "b");
  REQUIRE(f.output_names == std::vector<std::string>{"y"});

  std::vector<std::string> ops;
  for (auto &n : f.nodes) ops.push_back(n.op);
  CHECK(ops == std::vector<std::string>{"input", "param", "broadcast_to", "add", "relu", "constant", "mul"});
  const auto &bc = f.nodes[2];
  CHECK(bc.type.shape == std::vector<int64_t>{2, 3});
  CHECK(f.nodes[5].values == std::vector<double>{2.0});
  CHECK(m.params.at(0).init.kind == graph::Init::ones);
}

TEST_CASE("named ops carry the caller's source line") {
  int line = 0;
  auto m = detail::trace("t", [&] {
    export_function("f", [&](In<"x", f32, 4> x) {
      line = __LINE__ + 1;
      return exp(x);
    });
  });
  const auto &n = m.functions[0].nodes.back();
  CHECK(n.op == "exp");
  CHECK(n.loc.line == static_cast<unsigned>(line));
  CHECK(n.loc.file.find("dsl_test.cpp") != std::string::npos);
}

TEST_CASE("parameters become arguments in declaration order, once per export") {
  auto m = detail::trace("t", [] {
    Param<f32, 4> a{"a"}, b{"b"};
    export_function("uses_b_first", [&](In<"x", f32, 4> x) { return (x * b + a) * b; });
    export_function("only_a", [&](In<"x", f32, 4> x) { return x + a; });
  });
  const auto &f = m.functions[0];
  REQUIRE(f.params.size() == 2);
  CHECK(node(f, f.params[0]).name == "a");
  CHECK(node(f, f.params[1]).name == "b");
  const auto &g = m.functions[1];
  REQUIRE(g.params.size() == 1);
  CHECK(node(g, g.params[0]).param == 0);
}

TEST_CASE("reductions record normalised axes; slices record starts and strides") {
  auto m = detail::trace("t", [] {
    export_function("f", [](In<"x", f32, 2, 3, 4> x) {
      return std::tuple{out<"s">(sum<-1>(x)), out<"t">(slice<1, 1, 3>(x)), out<"m">(mean(x))};
    });
  });
  const auto &f = m.functions[0];
  CHECK(f.output_names == std::vector<std::string>{"s", "t", "m"});
  CHECK(node(f, f.outputs[0]).ints.at("axes") == std::vector<int64_t>{2});
  CHECK(node(f, f.outputs[1]).ints.at("starts") == std::vector<int64_t>{0, 1, 0});
  CHECK(node(f, f.outputs[1]).ints.at("strides") == std::vector<int64_t>{1, 1, 1});
  CHECK(node(f, f.outputs[2]).ints.at("axes") == std::vector<int64_t>{0, 1, 2});
  CHECK(node(f, f.outputs[2]).type.shape.empty());
}

TEST_CASE("Linear follows PyTorch's layout and default initialisation") {
  auto m = detail::trace("t", [] {
    Linear<784, 256> fc{"fc"};
    export_function("f", [&](In<"x", f32, 8, 784> x) { return fc(x); });
  });
  REQUIRE(m.params.size() == 2);
  CHECK(m.params[0].name == "fc.weight");
  CHECK(m.params[0].type.shape == std::vector<int64_t>{256, 784});
  CHECK(m.params[0].init.kind == graph::Init::uniform);
  CHECK(m.params[0].init.b == doctest::Approx(1.0 / 28.0));
  CHECK(m.params[1].init.a == doctest::Approx(-1.0 / 28.0));
  CHECK(node(m.functions[0], m.functions[0].outputs[0]).type.shape == std::vector<int64_t>{8, 256});
}

TEST_CASE("dropout is the identity in forward exports and random in train steps") {
  auto m = detail::trace("t", [] {
    Param<f32, 4> w{"w"};
    auto loss = [&](In<"x", f32, 2, 4> x) { return sum(dropout(x, 0.5) * w); };
    export_function("eval", [&](In<"x", f32, 2, 4> x) { return dropout(x, 0.5) * w; });
    export_train_step("train", loss, SGD{.momentum = 0.9});
  });
  auto count = [](const graph::Function &f, const std::string &op) {
    return std::count_if(f.nodes.begin(), f.nodes.end(), [&](auto &n) { return n.op == op; });
  };
  CHECK(count(m.functions[0], "random_uniform") == 0);
  CHECK(count(m.functions[1], "random_uniform") == 1);
  CHECK(m.functions[1].kind == graph::Function::train);
  CHECK(m.functions[1].optimizer.state_names() == std::vector<std::string>{"momentum_buffer"});
  // Train steps get the hidden inputs lr, step and seed after the user's; the
  // companion gradient export gets step and seed.
  std::vector<std::string> names;
  for (int id : m.functions[1].inputs) names.push_back(m.functions[1].nodes[id].name);
  CHECK(names == std::vector<std::string>{"x", "lr", "step", "seed"});
  REQUIRE(m.functions.size() == 3);
  CHECK(m.functions[2].name == "train_grad");
  CHECK(m.functions[2].kind == graph::Function::grad);
}
