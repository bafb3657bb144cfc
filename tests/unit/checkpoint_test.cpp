// Checkpoints without a compiled model: the safetensors reader's errors, PyTorch
// state_dict conventions (names, num_batches_tracked, no optimizer state),
// weights-only loads, and crash safety (a writer killed at random moments).
#include <loom/rt/runtime.hpp>
#include <loom/rt/safetensors.hpp>

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <fstream>
#include <random>
#include <string>
#include <thread>

using namespace loom::rt;

namespace {

const ParamSpec kParams[] = {{"conv1.weight", DType::f32, {2, 1, 3, 3}, {Init::uniform, -1, 1}},
                             {"bn1.weight", DType::f32, {2}, {Init::ones}},
                             {"bn1.running_mean", DType::f32, {2}, {Init::zeros}, true}};
const ParamSpec kState[] = {{"train.conv1.weight.momentum_buffer", DType::f32, {2, 1, 3, 3}, {Init::zeros}},
                            {"train.bn1.weight.momentum_buffer", DType::f32, {2}, {Init::zeros}}};

struct Stores {
  ParamStore params{kParams, 1}, state{kState, 0};
  TrainLog log;
};

/// A safetensors file as PyTorch's safetensors.torch.save_file writes one.
std::string safetensors(const nlohmann::ordered_json &header, const std::string &data) {
  std::string text = header.dump(), len(8, '\0');
  for (int i = 0; i < 8; ++i) len[i] = char(uint64_t(text.size()) >> (8 * i));
  return len + text + data;
}

std::string floats(std::initializer_list<float> v) { return {reinterpret_cast<const char *>(v.begin()), v.size() * 4}; }

void write(const std::string &path, const std::string &bytes) { std::ofstream(path, std::ios::binary) << bytes; }

/// A state_dict of kParams as torch saves it: every buffer, num_batches_tracked too, no optimizer state.
std::string torch_state_dict(float scale) {
  std::string w, data;
  for (int i = 0; i < 18; ++i) w += floats({scale * float(i)});
  data = w + floats({2, 3}) + floats({0.5f, -0.5f}) + std::string("\x07\0\0\0\0\0\0\0", 8);
  nlohmann::ordered_json h = {
      {"conv1.weight", {{"dtype", "F32"}, {"shape", {2, 1, 3, 3}}, {"data_offsets", {0, 72}}}},
      {"bn1.weight", {{"dtype", "F32"}, {"shape", {2}}, {"data_offsets", {72, 80}}}},
      {"bn1.running_mean", {{"dtype", "F32"}, {"shape", {2}}, {"data_offsets", {80, 88}}}},
      {"bn1.num_batches_tracked", {{"dtype", "I64"}, {"shape", nlohmann::json::array()}, {"data_offsets", {88, 96}}}}};
  return safetensors(h, data);
}

} // namespace

TEST_CASE("a PyTorch state_dict loads by name; num_batches_tracked is skipped, optimizer state reset") {
  Stores s;
  s.state.values<float>("train.bn1.weight.momentum_buffer")[0] = 9;
  s.log.step_counts()["train"] = 5;
  write("torch.safetensors", torch_state_dict(0.25f));
  load_checkpoint("torch.safetensors", s.params, s.state, s.log);
  CHECK(s.params.values<float>("conv1.weight")[17] == 0.25f * 17);
  CHECK(s.params.values<float>("bn1.running_mean")[1] == -0.5f);
  CHECK(s.state.values<float>("train.bn1.weight.momentum_buffer")[0] == 0); // absent from the file: reset
  CHECK(s.log.steps("train") == 0);

  // load_weights ignores a checkpoint's optimizer state and resets the model's.
  Stores t;
  t.params.values<float>("bn1.weight")[0] = 42;
  t.state.values<float>("train.conv1.weight.momentum_buffer")[3] = 1.5f;
  t.log.step_counts()["train"] = 2;
  save_checkpoint("full.safetensors", t.params, t.state, t.log);
  Stores u;
  load_checkpoint("full.safetensors", u.params, u.state, u.log);
  CHECK(u.params.values<float>("bn1.weight")[0] == 42);
  CHECK(u.state.values<float>("train.conv1.weight.momentum_buffer")[3] == 1.5f);
  CHECK(u.log.steps("train") == 2);
  load_weights("full.safetensors", u.params, u.state, u.log);
  CHECK(u.params.values<float>("bn1.weight")[0] == 42);
  CHECK(u.state.values<float>("train.conv1.weight.momentum_buffer")[3] == 0);
  CHECK(u.log.steps("train") == 0);

  // A model without the train export (no optimizer state) loads a training checkpoint.
  ParamStore eval_params(kParams, 3), no_state(std::span<const ParamSpec>{}, 0);
  TrainLog eval_log;
  load_checkpoint("full.safetensors", eval_params, no_state, eval_log);
  CHECK(eval_params.values<float>("bn1.weight")[0] == 42);
}

TEST_CASE("a state_dict that does not fit the model is refused, naming the tensor, and changes nothing") {
  Stores s;
  const float before = s.params.values<float>("conv1.weight")[0];
  std::string sd = torch_state_dict(1);
  std::string renamed = sd;
  renamed.replace(renamed.find("bn1.weight"), 10, "bn9.weight");
  write("renamed.safetensors", renamed);
  CHECK_THROWS_WITH(load_weights("renamed.safetensors", s.params, s.state, s.log),
                    doctest::Contains("no tensor 'bn1.weight'"));
  // Same length, so the offsets stay right: a parameter the model lacks.
  nlohmann::ordered_json h = {{"conv1.weight", {{"dtype", "F32"}, {"shape", {2, 1, 3, 3}}, {"data_offsets", {0, 72}}}},
                              {"bn1.weight", {{"dtype", "F32"}, {"shape", {2}}, {"data_offsets", {72, 80}}}},
                              {"bn1.running_mean", {{"dtype", "F32"}, {"shape", {2}}, {"data_offsets", {80, 88}}}},
                              {"fc.bias", {{"dtype", "F32"}, {"shape", {2}}, {"data_offsets", {88, 96}}}}};
  write("extra.safetensors", safetensors(h, std::string(96, '\0')));
  CHECK_THROWS_WITH(load_weights("extra.safetensors", s.params, s.state, s.log),
                    "checkpoint extra.safetensors: unexpected tensor 'fc.bias' (the model has no parameter or buffer of that name)");
  h["conv1.weight"]["dtype"] = "F64";
  h["conv1.weight"]["data_offsets"] = {0, 144};
  h.erase("fc.bias");
  h["bn1.weight"]["data_offsets"] = {144, 152};
  h["bn1.running_mean"]["data_offsets"] = {152, 160};
  write("f64.safetensors", safetensors(h, std::string(160, '\0')));
  CHECK_THROWS_WITH(load_weights("f64.safetensors", s.params, s.state, s.log),
                    "checkpoint f64.safetensors: tensor 'conv1.weight' is F64, the model's is F32");
  CHECK(s.params.values<float>("conv1.weight")[0] == before);
}

TEST_CASE("corrupt safetensors headers get messages that name the problem, in printable text") {
  // A header length larger than the file (here: the bytes of an unrelated text file).
  CHECK_THROWS_WITH(parse_safetensors("_tmp_/_x_\nmore text", "checkpoint a"),
                    doctest::Contains("exceeds the file (19 bytes): not a safetensors file, or truncated"));
  // A JSON error at a non-UTF-8 byte: the byte is shown escaped, never raw.
  std::string bad = safetensors(nlohmann::json::object(), "");
  bad = std::string("\x06\0\0\0\0\0\0\0", 8) + "{\"a\":\xff}";
  try {
    parse_safetensors(bad, "checkpoint b");
    FAIL("no error");
  } catch (const Error &e) {
    std::string m = e.what();
    CHECK(m.find("the header is not JSON") != std::string::npos);
    CHECK(m.find("\\xff") != std::string::npos);
    CHECK(std::none_of(m.begin(), m.end(), [](char c) { return static_cast<unsigned char>(c) >= 0x80; }));
  }
  auto refuses = [](const nlohmann::ordered_json &h, const std::string &data, const std::string &why) {
    CHECK_THROWS_WITH(parse_safetensors(safetensors(h, data), "f"), doctest::Contains(why.c_str()));
  };
  refuses({{"w", {{"dtype", "F32"}, {"shape", {2}}, {"data_offsets", {0, 12}}}}}, std::string(8, '\0'),
          "tensor 'w': data offsets [0, 12) out of range (8 bytes of data; truncated file?)");
  refuses({{"w", {{"dtype", "F32"}, {"shape", {3}}, {"data_offsets", {0, 8}}}}}, std::string(8, '\0'),
          "tensor 'w': 8 bytes of data for its F32[3]");
  refuses({{"w", {{"dtype", "Q7"}, {"shape", {2}}, {"data_offsets", {0, 8}}}}}, std::string(8, '\0'),
          "tensor 'w' has an unknown dtype 'Q7'");
  refuses({{"w", {{"dtype", "F32"}, {"shape", {-2}}, {"data_offsets", {0, 8}}}}}, std::string(8, '\0'),
          "tensor 'w' has a bad shape [-2]");
  refuses({{"w", {{"dtype", "F32"}, {"shape", {2}}}}}, std::string(8, '\0'), "tensor 'w' needs dtype, shape and data_offsets");
  refuses({{"__metadata__", {{"k", 3}}}}, "", "metadata 'k' is not a string");
  refuses(nlohmann::ordered_json::array(), "", "the header is not a JSON object");
}

TEST_CASE("checkpoint writes are crash-safe: a writer killed at random moments leaves a whole checkpoint") {
  // The parameters are large enough (4 MB) that a kill often lands mid-write.
  static const ParamSpec big[] = {{"w", DType::f32, {1 << 20}, {Init::zeros}}};
  const std::string path = "killed.safetensors";
  {
    ParamStore p(big, 0), st(std::span<const ParamSpec>{}, 0);
    TrainLog log;
    save_checkpoint(path, p, st, log); // state 0
  }
  std::mt19937 rng(7);
  int mid_write = 0;
  for (int round = 0; round < 12; ++round) {
    pid_t child = fork();
    REQUIRE(child >= 0);
    if (child == 0) { // saves states 1, 2, 3, ...: every element and the step count are k
      ParamStore p(big, 0), st(std::span<const ParamSpec>{}, 0);
      TrainLog log;
      for (int64_t k = 1;; ++k) {
        std::fill_n(p.data<float>(0), 1 << 20, float(k));
        log.step_counts()["train"] = k;
        save_checkpoint(path, p, st, log);
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5 + rng() % 60));
    kill(child, SIGKILL);
    int status = 0;
    waitpid(child, &status, 0);
    REQUIRE(WIFSIGNALED(status));
    mid_write += access((path + ".tmp").c_str(), F_OK) == 0;
    ParamStore p(big, 0), st(std::span<const ParamSpec>{}, 0);
    TrainLog log;
    REQUIRE_NOTHROW(load_checkpoint(path, p, st, log));
    const float *w = p.data<float>(0);
    const int64_t k = log.steps("train");
    CHECK(w[0] == float(k));
    CHECK(std::all_of(w, w + (1 << 20), [&](float v) { return v == w[0]; }));
  }
  MESSAGE(mid_write << " of 12 kills left a partial " << path << ".tmp behind");
}
