// libFuzzer harness for the checkpoint loader: a fixed model's parameters and
// optimizer state; any file either loads or throws loom::rt::Error, and a
// throw leaves both stores exactly as they were.
#include <loom/rt/train.hpp>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <unistd.h>
#include <vector>

namespace {
const loom::rt::ParamSpec kParams[] = {{"conv1.weight", loom::rt::DType::f32, {2, 1, 3, 3}, {loom::rt::Init::uniform, -1, 1}},
                                       {"bn1.running_mean", loom::rt::DType::f32, {2}, {loom::rt::Init::zeros}, true},
                                       {"step", loom::rt::DType::i64, {1}, {loom::rt::Init::zeros}}};
const loom::rt::ParamSpec kState[] = {{"train.conv1.weight.momentum_buffer", loom::rt::DType::f32, {2, 1, 3, 3}, {}}};

std::vector<char> snapshot(loom::rt::ParamStore &s) {
  std::vector<char> v;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char *p = s.spec(i).dtype == loom::rt::DType::i64 ? reinterpret_cast<const char *>(s.data<int64_t>(i))
                                                            : reinterpret_cast<const char *>(s.data<float>(i));
    v.insert(v.end(), p, p + s.numel(i) * loom::rt::dtype_size(s.spec(i).dtype));
  }
  return v;
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static const std::string path = "/tmp/loom_checkpoint_fuzz." + std::to_string(getpid());
  if (std::FILE *f = std::fopen(path.c_str(), "wb")) {
    std::fwrite(data, 1, size, f);
    std::fclose(f);
  } else {
    return 0;
  }
  static loom::rt::ParamStore params(kParams, 1), state(kState, 0);
  loom::rt::TrainLog log;
  auto before_p = snapshot(params), before_s = snapshot(state);
  try {
    loom::rt::load_checkpoint(path, params, state, log);
  } catch (const loom::rt::Error &) {
    if (snapshot(params) != before_p || snapshot(state) != before_s) __builtin_trap();
  }
  return 0;
}
