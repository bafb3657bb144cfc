// The runtime: buffers, views, parameter stores, Philox and the memref ABI helper.
#include <loom/rt/runtime.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <cstdint>
#include <vector>

using namespace loom::rt;

extern "C" void memrefCopy(int64_t elemSize, void *src, void *dst);

TEST_CASE("buffers are 64-byte aligned and zeroed") {
  for (std::size_t n : {1, 63, 64, 1000}) {
    Buffer b(n);
    CHECK(reinterpret_cast<uintptr_t>(b.data()) % 64 == 0);
    for (std::size_t i = 0; i < n; ++i) REQUIRE(b.data()[i] == std::byte{0});
  }
}

TEST_CASE("views check sizes and index row-major") {
  Array<float, 2, 3> a;
  for (long i = 0; i < 6; ++i) a[i] = float(i);
  View<const float, 2, 3> v(a);
  CHECK(v(1, 2) == 5.0f);
  CHECK(v(0, 1) == 1.0f);
  std::vector<float> wrong(5);
  using V = View<float, 2, 3>;
  CHECK_THROWS_WITH(V(std::span<float>(wrong)), "View[2,3]: expected 6 elements, got 5");
  CHECK_THROWS_WITH(V(static_cast<float *>(nullptr)), "View[2,3]: null pointer");
}

TEST_CASE("Philox 4x32-10 matches the Random123 known-answer vectors") {
  using B = Philox4x32::Block;
  CHECK(Philox4x32::generate({0, 0, 0, 0}, {0, 0}) == B{0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8});
  CHECK(Philox4x32::generate({~0u, ~0u, ~0u, ~0u}, {~0u, ~0u}) == B{0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd});
  CHECK(Philox4x32::generate({0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344}, {0xa4093822, 0x299f31d0}) ==
        B{0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1});
}

namespace {
const ParamSpec kSpecs[] = {
    {"w", DType::f32, {100, 50}, {Init::uniform, -0.5, 0.5}},
    {"b", DType::f32, {50}, {Init::constant, 0.25}},
    {"n", DType::f32, {20000}, {Init::normal, 1.0, 2.0}},
    {"k", DType::i32, {3}, {Init::ones}},
};
} // namespace

TEST_CASE("parameters initialise deterministically from the seed") {
  ParamStore a(kSpecs, 7), b(kSpecs, 7), c(kSpecs, 8);
  auto wa = a.values<float>("w"), wb = b.values<float>("w"), wc = c.values<float>("w");
  CHECK(std::equal(wa.begin(), wa.end(), wb.begin()));
  CHECK(!std::equal(wa.begin(), wa.end(), wc.begin()));
  for (float v : wa) REQUIRE((v >= -0.5f && v < 0.5f));
  for (float v : a.values<float>("b")) REQUIRE(v == 0.25f);
  CHECK(a.values<int32_t>("k")[2] == 1);

  double mean = 0, var = 0;
  auto n = a.values<float>("n");
  for (float v : n) mean += v;
  mean /= n.size();
  for (float v : n) var += (v - mean) * (v - mean);
  var /= n.size();
  CHECK(mean == doctest::Approx(1.0).epsilon(0.05));
  CHECK(std::sqrt(var) == doctest::Approx(2.0).epsilon(0.03));

  // A parameter's values depend on its name, not on the others around it.
  ParamStore alone(std::span(kSpecs, 1), 7);
  auto w1 = alone.values<float>("w");
  CHECK(std::equal(w1.begin(), w1.end(), wa.begin()));
}

TEST_CASE("parameter errors name the parameter and the problem") {
  ParamStore p(kSpecs, 0);
  CHECK_THROWS_WITH(p.index("wx"), "no parameter named 'wx' (the model has: w, b, n, k)");
  std::vector<float> three(3);
  CHECK_THROWS_WITH(p.set("b", three), "parameter 'b' [50] has 50 elements, got 3");
  CHECK_THROWS_WITH(p.data<float>(3), "parameter 'k' is i32, not f32");
  std::vector<float> ok(50, 3.0f);
  p.set("b", ok);
  CHECK(p.values<float>("b")[49] == 3.0f);
}

TEST_CASE("memrefCopy copies strided views element by element") {
  // src: a 2x3 view with strides [6, 2] into a 4x6 buffer, offset 1.
  float src[24], dst[6] = {};
  for (int i = 0; i < 24; ++i) src[i] = float(i);
  struct D2 {
    float *alloc, *aligned;
    int64_t offset, sizes[2], strides[2];
  } s{src, src, 1, {2, 3}, {6, 2}}, d{dst, dst, 0, {2, 3}, {3, 1}};
  struct U {
    int64_t rank;
    void *desc;
  } us{2, &s}, ud{2, &d};
  memrefCopy(sizeof(float), &us, &ud);
  CHECK(std::vector<float>(dst, dst + 6) == std::vector<float>{1, 3, 5, 7, 9, 11});
}

TEST_CASE("memrefCopy copies contiguous rows of strided views whole") {
  // src: rows 1-2, columns 2-5 of a 4x6 buffer (inner stride 1); dst: a 2x1x4
  // view with a size-1 middle dimension of any stride, rows 5 apart.
  float src[24], dst[10];
  for (int i = 0; i < 24; ++i) src[i] = float(i);
  for (float &x : dst) x = -1;
  struct D3 {
    float *alloc, *aligned;
    int64_t offset, sizes[3], strides[3];
  } s{src, src, 8, {2, 1, 4}, {6, 99, 1}}, d{dst, dst, 0, {2, 1, 4}, {5, 7, 1}};
  struct U {
    int64_t rank;
    void *desc;
  } us{3, &s}, ud{3, &d};
  memrefCopy(sizeof(float), &us, &ud);
  CHECK(std::vector<float>(dst, dst + 10) == std::vector<float>{8, 9, 10, 11, -1, 14, 15, 16, 17, -1});
}

TEST_CASE("memrefCopy splits large copies over threads: every element once, the same for any count") {
  struct D4 {
    float *alloc, *aligned;
    int64_t offset, sizes[4], strides[4];
  };
  struct U {
    int64_t rank;
    void *desc;
  };
  // [N, C, H, W] into a [N, C, P, Q] buffer at (i0, j0), rows and columns `step` apart: an activation
  // into the interior of its padded buffer (rows of 131 floats, then of 32, whose short-run path
  // differs), and dy spread by a stride of 2 (single floats). 0.5-1.4 MB (a share per 256 KB), so 2, 3
  // and 5 threads split them, at runs that start mid-image.
  struct Case {
    int64_t N, C, H, W, step, i0, j0;
  };
  for (Case k : {Case{3, 7, 129, 131, 1, 1, 1}, Case{4, 32, 32, 32, 1, 2, 2}, Case{4, 16, 64, 32, 2, 1, 0}}) {
    const int64_t P = k.i0 + k.step * k.H + 1, Q = k.j0 + k.step * k.W + 1;
    std::vector<float> src(k.N * k.C * k.H * k.W);
    for (size_t i = 0; i < src.size(); ++i) src[i] = float(i);
    std::vector<float> one;
    for (int threads : {1, 2, 3, 5}) {
      INFO("W ", k.W, " step ", k.step, " threads ", threads);
      loom::rt::ThreadsScope scope(threads);
      std::vector<float> dst(k.N * k.C * P * Q, -1.0f);
      D4 s{src.data(), src.data(), 0, {k.N, k.C, k.H, k.W}, {k.C * k.H * k.W, k.H * k.W, k.W, 1}};
      D4 d{dst.data(), dst.data(), k.i0 * Q + k.j0, {k.N, k.C, k.H, k.W}, {k.C * P * Q, P * Q, k.step * Q, k.step}};
      U us{4, &s}, ud{4, &d};
      memrefCopy(sizeof(float), &us, &ud);
      int64_t wrong = 0;
      for (int64_t nc = 0; nc < k.N * k.C; ++nc)
        for (int64_t i = 0; i < P; ++i)
          for (int64_t j = 0; j < Q; ++j) {
            const int64_t a = i - k.i0, b = j - k.j0;
            const bool inside = a >= 0 && b >= 0 && a % k.step == 0 && b % k.step == 0 && a / k.step < k.H &&
                                b / k.step < k.W;
            const float want = inside ? float((nc * k.H + a / k.step) * k.W + b / k.step) : -1.0f;
            wrong += dst[(nc * P + i) * Q + j] != want;
          }
      CHECK(wrong == 0);
      if (one.empty()) one = dst;
      CHECK(dst == one);
    }
  }
}

TEST_CASE("the argument helper: options, flags, positionals, defaults and errors that name the argument") {
  auto parser = [] {
    ArgParser a("prog", "Does things.");
    a.option("epochs", "10", "passes").flag("full", "everything").positional("steps", "200", "steps to time");
    return a;
  };
  {
    ArgParser a = parser();
    const char *argv[] = {"prog", "--epochs", "3", "--full", "50"};
    a.parse_or_throw(5, argv);
    CHECK(a.integer("epochs", 1) == 3);
    CHECK(a.has("full"));
    CHECK(a.integer("steps") == 50);
    CHECK(a.given("epochs"));
  }
  {
    ArgParser a = parser();
    const char *argv[] = {"prog", "--epochs=7"};
    a.parse_or_throw(2, argv);
    CHECK(a.get("epochs") == "7");
    CHECK_FALSE(a.has("full"));
    CHECK(a.get("steps") == "200");
    CHECK_FALSE(a.given("steps"));
  }
  auto fails = [&](std::vector<const char *> argv, const std::string &why) {
    ArgParser a = parser();
    argv.insert(argv.begin(), "prog");
    CHECK_THROWS_WITH(a.parse_or_throw(int(argv.size()), argv.data()), why.c_str());
  };
  fails({"--epoch", "3"}, "unknown option '--epoch'");
  fails({"--epochs"}, "--epochs needs a value");
  fails({"--full=1"}, "--full takes no value");
  fails({"1", "2"}, "unexpected argument '2'");
  fails({"--help"}, "--help asks for the usage");
  ArgParser a = parser();
  const char *argv[] = {"prog", "--epochs", "x"};
  a.parse_or_throw(3, argv);
  CHECK_THROWS_WITH(a.integer("epochs", 1), "--epochs 'x': expected an integer >= 1");
  const std::string u = a.usage();
  CHECK(u.find("usage: prog [--help] [--epochs VALUE] [--full] [steps]") == 0);
  CHECK(u.find("passes (default 10)") != std::string::npos);
}

TEST_CASE("progress written to a log: whole lines, running means over the epoch, only the metrics given") {
  std::FILE *f = std::tmpfile();
  REQUIRE(f);
  {
    Progress p("net", 4, 8, f, /*terminal=*/false, /*every_s=*/1e9);
    p.step(1, 2, 1.0);
    p.step(1, 2, 3.0); // epoch 1's mean: 2
    p.step(2, 2, 5.0);
    p.step(2, 2, 7.0); // the last step prints too: epoch 2's mean, 6
    p.done();
  }
  std::rewind(f);
  std::string text;
  for (int c; (c = std::fgetc(f)) != EOF;) text += char(c);
  std::fclose(f);
  CHECK(text.find('\r') == std::string::npos);
  CHECK(text.find("accuracy") == std::string::npos);
  CHECK(text.find("net: epoch 1/2  loss 1.0000") == 0); // the first step
  CHECK(text.find("net: epoch 1/2  loss 2.0000") != std::string::npos);
  CHECK(text.find("net: epoch 2/2  loss 6.0000") != std::string::npos);
  CHECK(std::count(text.begin(), text.end(), '\n') == 3);

  std::FILE *g = std::tmpfile();
  {
    Progress p("cnn", 2, 8, g, /*terminal=*/true);
    p.step(1, 1, 1.0, 0.25);
    p.step(1, 1, 2.0, 0.75);
    p.done();
  }
  std::rewind(g);
  text.clear();
  for (int c; (c = std::fgetc(g)) != EOF;) text += char(c);
  std::fclose(g);
  CHECK(text.find("\rcnn: epoch 1/1  loss 1.5000  accuracy 0.500") != std::string::npos);
  CHECK(text.back() == '\n');
}

namespace {
/// Two ranks, the other one's values all `other`: records each all-reduce's size.
struct FakePair final : Communicator {
  float other = 1;
  bool fail = false;
  std::vector<std::size_t> calls;
  int rank() const override { return 0; }
  int size() const override { return 2; }
  std::string name() const override { return "fake"; }
  void all_reduce_sum(float *data, std::size_t n, double) override {
    if (fail) throw Error("rank 1 did not answer");
    calls.push_back(n);
    for (std::size_t i = 0; i < n; ++i) data[i] += other;
  }
  void broadcast(void *, std::size_t, int, double) override {}
  [[noreturn]] void abort(int code) override { std::_Exit(code); }
};
} // namespace

TEST_CASE("a data-parallel step's gradients: bucketed, all-reduced once per bucket, averaged") {
  // 26 floats a bucket (0.0001 MiB; read once, at the first all-reduce of the process).
  setenv("LOOM_DP_BUCKET_MB", "0.0001", 1);
  FakePair pair;
  set_communicator(&pair);
  std::vector<std::vector<float>> grads;
  for (std::size_t n : {10, 10, 10, 40, 5}) {
    grads.emplace_back(n);
    for (std::size_t i = 0; i < n; ++i) grads.back()[i] = float(grads.size() * 100 + i);
  }
  const auto before = grads;
  for (auto &g : grads) loom_rt_all_reduce_add(g.data(), int64_t(g.size()));
  loom_rt_all_reduce_wait();
  // 10 + 10 fill a bucket the third would overflow; 40 is a bucket of its own, in place.
  CHECK(pair.calls == std::vector<std::size_t>{20, 10, 40, 5});
  for (std::size_t k = 0; k < grads.size(); ++k)
    for (std::size_t i = 0; i < grads[k].size(); ++i) CHECK(grads[k][i] == (before[k][i] + 1) / 2);
  CHECK_NOTHROW(finish_all_reduce("m::Model::step"));

  // One process: nothing is reduced or changed.
  set_communicator(nullptr);
  auto solo = before[0];
  loom_rt_all_reduce_add(solo.data(), int64_t(solo.size()));
  loom_rt_all_reduce_wait();
  CHECK(solo == before[0]);
  // ... unless mpirun started several, and then the step says what is missing.
  setenv("OMPI_COMM_WORLD_SIZE", "2", 1);
  CHECK_THROWS_WITH(require_communicator("m::Model::step"),
                    "m::Model::step: a data-parallel step in a process that mpirun started as one of 2, but without a "
                    "communicator: create a loom::rt::MpiSession first (else each process trains alone)");
  unsetenv("OMPI_COMM_WORLD_SIZE");
  CHECK_NOTHROW(require_communicator("m::Model::step"));

  // A failed all-reduce: kept while generated code runs, thrown after the step.
  set_communicator(&pair);
  pair.fail = true;
  CHECK_FALSE(collective_failed());
  loom_rt_all_reduce_add(solo.data(), int64_t(solo.size()));
  loom_rt_all_reduce_wait();
  CHECK(collective_failed());
  CHECK_THROWS_WITH(finish_all_reduce("m::Model::step"),
                    "m::Model::step: the all-reduce of the gradients failed on rank 0 of 2: rank 1 did not answer; this "
                    "step's update used unreduced gradients, so the ranks are out of step: restart from the last checkpoint");
  CHECK_NOTHROW(finish_all_reduce("m::Model::step")); // thrown once
  set_communicator(nullptr);
}
