// Writes the fuzzers' seed corpora (valid inputs of each format) into DIR:
// DIR/idx, DIR/cifar, DIR/safetensors, DIR/checkpoint. scripts/fuzz.sh and
// the short fuzz tests start from them.
#include <loom/rt/runtime.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace {
void put(const std::filesystem::path &p, const std::string &bytes) {
  std::filesystem::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << bytes;
}
std::string be32(uint32_t v) { return {char(v >> 24), char(v >> 16), char(v >> 8), char(v)}; }
std::string slurp(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}
} // namespace

int main(int argc, char **argv) {
  loom::rt::ArgParser args("fuzz_seeds", "Writes the fuzzers' seed corpora.");
  args.positional("dir", "fuzz-corpus", "where the corpora go");
  args.parse(argc, argv);
  const std::filesystem::path dir = args.get("dir");
  // IDX: split point, then images (n x 2 x 3) and labels, for n = 1 and 3.
  for (uint32_t n : {1u, 3u}) {
    std::string im = be32(0x803) + be32(n) + be32(2) + be32(3), lb = be32(0x801) + be32(n);
    for (uint32_t i = 0; i < n * 6; ++i) im += char(i * 17);
    for (uint32_t i = 0; i < n; ++i) lb += char(i % 10);
    uint32_t split = uint32_t(im.size());
    put(dir / "idx" / ("pair" + std::to_string(n)), std::string(reinterpret_cast<char *>(&split), 4) + im + lb);
  }
  // CIFAR-10: one and two records.
  for (int records : {1, 2}) {
    std::string b;
    for (int r = 0; r < records; ++r) {
      b += char(r + 3);
      for (int i = 0; i < 3 * 32 * 32; ++i) b += char(i * 7 + r);
    }
    put(dir / "cifar" / ("records" + std::to_string(records)), b);
  }
  // A checkpoint as save_checkpoint writes it, with the fuzzed loader's names.
  const loom::rt::ParamSpec params[] = {{"conv1.weight", loom::rt::DType::f32, {2, 1, 3, 3}, {loom::rt::Init::uniform, -1, 1}},
                                        {"bn1.running_mean", loom::rt::DType::f32, {2}, {loom::rt::Init::zeros}, true},
                                        {"step", loom::rt::DType::i64, {1}, {loom::rt::Init::zeros}}};
  const loom::rt::ParamSpec state[] = {{"train.conv1.weight.momentum_buffer", loom::rt::DType::f32, {2, 1, 3, 3}, {}}};
  loom::rt::ParamStore p(params, 1), s(state, 0);
  loom::rt::TrainLog log;
  log.step_counts()["train"] = 4;
  std::filesystem::create_directories(dir / "checkpoint");
  loom::rt::save_checkpoint((dir / "checkpoint" / "full").string(), p, s, log);
  const std::string full = slurp((dir / "checkpoint" / "full").string());
  put(dir / "safetensors" / "full", full);
  // Without optimizer state, as a PyTorch state_dict.
  loom::rt::ParamStore none(std::span<const loom::rt::ParamSpec>{}, 0);
  loom::rt::save_checkpoint((dir / "checkpoint" / "weights").string(), p, none, log);
  put(dir / "safetensors" / "weights", slurp((dir / "checkpoint" / "weights").string()));
  std::printf("fuzz_seeds: wrote the corpora under %s\n", dir.c_str());
  return 0;
}
