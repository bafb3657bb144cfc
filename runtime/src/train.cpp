#include "loom/rt/train.hpp"
#include "loom/rt/philox.hpp"

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>

namespace loom::rt {

namespace {

const char *safetensors_dtype(DType t) {
  switch (t) {
  case DType::f32: return "F32";
  case DType::i32: return "I32";
  case DType::i64: return "I64";
  }
  return "?";
}

struct Entry {
  ParamStore *store;
  std::size_t index;
};

std::vector<Entry> entries(ParamStore &params, ParamStore &state) {
  std::vector<Entry> e;
  for (ParamStore *s : {&params, &state})
    for (std::size_t i = 0; i < s->size(); ++i) e.push_back({s, i});
  return e;
}

void *raw(Entry e) {
  switch (e.store->spec(e.index).dtype) {
  case DType::f32: return e.store->data<float>(e.index);
  case DType::i32: return e.store->data<int32_t>(e.index);
  case DType::i64: return e.store->data<int64_t>(e.index);
  }
  return nullptr;
}

std::size_t bytes(Entry e) { return e.store->numel(e.index) * dtype_size(e.store->spec(e.index).dtype); }

} // namespace

void save_checkpoint(const std::string &path, ParamStore &params, ParamStore &state, TrainLog &log) {
  nlohmann::ordered_json header;
  nlohmann::ordered_json meta = {{"format", "pt"}, {"producer", "loom"}};
  for (auto &[name, steps] : log.step_counts()) meta["loom.steps." + name] = std::to_string(steps);
  header["__metadata__"] = meta;
  std::size_t offset = 0;
  auto all = entries(params, state);
  for (Entry e : all) {
    const ParamSpec &s = e.store->spec(e.index);
    header[s.name] = {{"dtype", safetensors_dtype(s.dtype)}, {"shape", s.shape}, {"data_offsets", {offset, offset + bytes(e)}}};
    offset += bytes(e);
  }
  std::string text = header.dump();
  text.append((8 - text.size() % 8) % 8, ' '); // keep the data 8-byte aligned, as safetensors does

  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw Error("cannot write checkpoint " + tmp + ": " + std::strerror(errno));
    uint64_t n = text.size();
    unsigned char len[8];
    for (int i = 0; i < 8; ++i) len[i] = static_cast<unsigned char>(n >> (8 * i)); // little-endian
    out.write(reinterpret_cast<const char *>(len), 8);
    out.write(text.data(), text.size());
    for (Entry e : all) out.write(static_cast<const char *>(raw(e)), bytes(e));
    out.flush();
    if (!out) throw Error("cannot write checkpoint " + tmp + ": " + std::strerror(errno));
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0)
    throw Error("cannot rename " + tmp + " to " + path + ": " + std::strerror(errno));
}

void load_checkpoint(const std::string &path, ParamStore &params, ParamStore &state, TrainLog &log) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error("cannot open checkpoint " + path + ": " + std::strerror(errno));
  std::string file((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto fail = [&](const std::string &why) -> Error { return Error("checkpoint " + path + ": " + why); };
  if (file.size() < 8) throw fail("truncated (no header length)");
  uint64_t n = 0;
  for (int i = 0; i < 8; ++i) n |= uint64_t(static_cast<unsigned char>(file[i])) << (8 * i);
  if (n > file.size() - 8) throw fail("truncated (header of " + std::to_string(n) + " bytes)");
  nlohmann::json header;
  try {
    header = nlohmann::json::parse(file.substr(8, n));
  } catch (const std::exception &e) {
    throw fail(std::string("the header is not JSON: ") + e.what());
  }
  const std::size_t dataStart = 8 + n;

  // Check everything before copying anything.
  std::vector<std::pair<Entry, std::size_t>> copies;
  std::set<std::string> expected;
  for (Entry e : entries(params, state)) {
    const ParamSpec &s = e.store->spec(e.index);
    expected.insert(s.name);
    if (!header.contains(s.name)) throw fail(std::string("no tensor '") + s.name + "'");
    const auto &t = header[s.name];
    std::string dtype = t.value("dtype", "");
    if (dtype != safetensors_dtype(s.dtype))
      throw fail(std::string("tensor '") + s.name + "' is " + dtype + ", the model's is " + safetensors_dtype(s.dtype));
    std::vector<long> shape = t.value("shape", std::vector<long>{});
    if (shape != s.shape)
      throw fail(std::string("tensor '") + s.name + "' is " + shape_string(shape.data(), shape.size()) +
                 ", the model's is " + shape_string(s.shape.data(), s.shape.size()));
    auto off = t.value("data_offsets", std::vector<std::size_t>{});
    if (off.size() != 2 || off[1] - off[0] != bytes(e) || dataStart + off[1] > file.size())
      throw fail(std::string("tensor '") + s.name + "': data offsets out of range (truncated file?)");
    copies.push_back({e, dataStart + off[0]});
  }
  for (auto &[key, value] : header.items())
    if (key != "__metadata__" && !expected.count(key)) throw fail("unexpected tensor '" + key + "'");

  for (auto &[e, at] : copies) std::memcpy(raw(e), file.data() + at, bytes(e));
  log = {};
  if (header.contains("__metadata__"))
    for (auto &[key, value] : header["__metadata__"].items())
      if (key.rfind("loom.steps.", 0) == 0 && value.is_string())
        log.step_counts()[key.substr(11)] = std::stoll(value.get<std::string>());
}

GradCheck grad_check(ParamStore &params, std::vector<std::pair<std::size_t, std::span<const float>>> grads,
                     const std::function<double()> &loss, int samples, double eps) {
  GradCheck r;
  for (auto &[index, grad] : grads) {
    float *w = params.data<float>(index);
    long n = params.numel(index);
    for (int k = 0; k < samples && k < n; ++k) {
      // All elements of small tensors; otherwise a deterministic sample.
      long i = n <= samples ? k : long(Philox4x32::bits({uint32_t(index), 7}, k) % uint64_t(n));
      float saved = w[i];
      w[i] = saved + float(eps);
      double up = loss();
      w[i] = saved - float(eps);
      double down = loss();
      w[i] = saved;
      // The step actually taken in float, not eps itself.
      double h = double(saved + float(eps)) - double(saved - float(eps));
      double numeric = (up - down) / h, analytic = grad[i];
      double err = std::abs(analytic - numeric) / std::max({1.0, std::abs(analytic), std::abs(numeric)});
      ++r.checked;
      if (err >= r.max_error) {
        r.max_error = err;
        r.worst = std::string(params.spec(index).name) + "[" + std::to_string(i) + "]: analytic " +
                  std::to_string(analytic) + ", numeric " + std::to_string(numeric);
      }
    }
  }
  return r;
}

} // namespace loom::rt
