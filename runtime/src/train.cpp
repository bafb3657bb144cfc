#include "loom/rt/train.hpp"
#include "loom/rt/distributed.hpp"
#include "loom/rt/philox.hpp"
#include "loom/rt/safetensors.hpp"

#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <map>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>

namespace loom::rt {

namespace {

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
  case DType::i1: return e.store->data<bool>(e.index);
  case DType::i32: return e.store->data<int32_t>(e.index);
  case DType::i64: return e.store->data<int64_t>(e.index);
  }
  return nullptr;
}

std::size_t bytes(Entry e) { return e.store->numel(e.index) * dtype_size(e.store->spec(e.index).dtype); }

/// Bytes outside printable ASCII as \xNN: names and parser messages from a
/// corrupt file must not put raw bytes on the user's terminal.
std::string printable(const std::string &s) {
  std::string r;
  for (unsigned char c : s) {
    if (c >= 0x20 && c < 0x7f) r += char(c);
    else {
      char b[5];
      std::snprintf(b, sizeof b, "\\x%02x", c);
      r += b;
    }
  }
  return r;
}

/// Writes all of `n` bytes or throws.
void write_all(int fd, const char *p, std::size_t n, const std::string &path) {
  while (n > 0) {
    ssize_t w = ::write(fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) throw Error("cannot write checkpoint " + path + ": " + std::strerror(errno));
    p += w, n -= std::size_t(w);
  }
}

void fsync_or_throw(int fd, const std::string &path) {
  if (::fsync(fd) != 0) throw Error("cannot write checkpoint " + path + " to disk (fsync): " + std::strerror(errno));
}

// Optimizer state as -loom-autodiff names it ("<export>.<param>.<key>", PyTorch's
// state keys): a checkpoint's state that the model does not have is skipped.
bool ends_with(const std::string &s, const std::string &tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

bool is_optimizer_state(const std::string &name) {
  for (const char *key : {".momentum_buffer", ".exp_avg", ".exp_avg_sq"})
    if (name.size() > std::strlen(key) && ends_with(name, key)) return true;
  return false;
}

/// Checks one tensor of the file against a store entry.
const SafetensorsFile::Tensor &matching(const SafetensorsFile &f, Entry e, const std::string &what) {
  const ParamSpec &s = e.store->spec(e.index);
  const auto &t = f.tensors.at(s.name);
  auto fail = [&](const std::string &why) { return Error(what + ": " + why); };
  if (t.dtype != dtype_info(s.dtype).safetensors)
    throw fail(std::string("tensor '") + s.name + "' is " + t.dtype + ", the model's is " + dtype_info(s.dtype).safetensors);
  if (t.shape != s.shape)
    throw fail(std::string("tensor '") + s.name + "' is " + shape_string(t.shape.data(), int(t.shape.size())) +
               ", the model's is " + shape_string(s.shape.data(), int(s.shape.size())));
  return t;
}

/// load_checkpoint (with_state) and load_weights: everything is checked before
/// anything is copied, so a bad file leaves the stores as they were.
void load(const std::string &path, ParamStore &params, ParamStore &state, TrainLog &log, bool with_state) {
  const std::string what = "checkpoint " + path;
  SafetensorsFile f = read_safetensors(path, what);
  std::vector<std::pair<Entry, const SafetensorsFile::Tensor *>> copies;
  std::set<std::string> known, exports_missing_state;
  for (std::size_t i = 0; i < params.size(); ++i) {
    const char *name = params.spec(i).name;
    known.insert(name);
    if (!f.tensors.count(name))
      throw Error(what + ": no tensor '" + name + "' (a parameter or buffer of the model; names as PyTorch's state_dict)");
    copies.push_back({{&params, i}, &matching(f, {&params, i}, what)});
  }
  for (std::size_t i = 0; i < state.size(); ++i) {
    std::string name = state.spec(i).name;
    known.insert(name);
    if (!with_state) continue;
    if (f.tensors.count(name)) copies.push_back({{&state, i}, &matching(f, {&state, i}, what)});
    else exports_missing_state.insert(name.substr(0, name.find('.')));
  }
  for (const auto &[name, t] : f.tensors)
    if (!known.count(name) && !ends_with(name, ".num_batches_tracked") && !is_optimizer_state(name))
      throw Error(what + ": unexpected tensor '" + printable(name) + "' (the model has no parameter or buffer of that name)");
  std::map<std::string, int64_t> steps;
  if (with_state)
    for (const auto &[key, value] : f.metadata) {
      if (key.rfind("loom.steps.", 0) != 0) continue;
      char *end = nullptr;
      long long n = std::strtoll(value.c_str(), &end, 10);
      if (value.empty() || *end || n < 0)
        throw Error(what + ": metadata '" + printable(key) + "' is '" + printable(value) + "', not a step count");
      if (!exports_missing_state.count(key.substr(11))) steps[key.substr(11)] = n;
    }

  // Optimizer state not restored starts afresh (zeros, as PyTorch's optimizers).
  for (std::size_t i = 0; i < state.size(); ++i)
    if (!with_state || !f.tensors.count(state.spec(i).name)) std::memset(raw({&state, i}), 0, bytes({&state, i}));
  for (auto &[e, t] : copies) std::memcpy(raw(e), f.data(*t), bytes(e));
  log = {};
  log.step_counts() = steps;
}

} // namespace

std::size_t safetensors_dtype_size(const std::string &dtype) {
  static const std::map<std::string, std::size_t> sizes = {
      {"BOOL", 1}, {"U8", 1}, {"I8", 1}, {"F8_E5M2", 1}, {"F8_E4M3", 1}, {"I16", 2}, {"U16", 2}, {"F16", 2},
      {"BF16", 2}, {"I32", 4}, {"U32", 4}, {"F32", 4}, {"F64", 8}, {"I64", 8}, {"U64", 8}};
  auto it = sizes.find(dtype);
  return it == sizes.end() ? 0 : it->second;
}

SafetensorsFile parse_safetensors(std::string file, const std::string &what) {
  auto fail = [&](const std::string &why) { return Error(what + ": " + why); };
  if (file.size() < 8) throw fail("truncated (no header length)");
  uint64_t n = 0;
  for (int i = 0; i < 8; ++i) n |= uint64_t(static_cast<unsigned char>(file[i])) << (8 * i);
  if (n > file.size() - 8)
    throw fail("the header length (" + std::to_string(n) + " bytes) exceeds the file (" + std::to_string(file.size()) +
               " bytes): not a safetensors file, or truncated");
  SafetensorsFile f;
  const std::size_t data_start = 8 + n, data_size = file.size() - data_start;
  try {
    nlohmann::json header;
    try {
      header = nlohmann::json::parse(file.begin() + 8, file.begin() + 8 + long(n));
    } catch (const nlohmann::json::parse_error &e) {
      throw fail("the header is not JSON: " + printable(e.what()));
    }
    if (!header.is_object()) throw fail("the header is not a JSON object");
    for (auto &[key, t] : header.items()) {
      const std::string name = printable(key);
      if (key == "__metadata__") {
        if (!t.is_object()) throw fail("__metadata__ is not an object");
        for (auto &[k, v] : t.items()) {
          if (!v.is_string()) throw fail("metadata '" + printable(k) + "' is not a string");
          f.metadata[k] = v.get<std::string>();
        }
        continue;
      }
      if (!t.is_object() || !t.contains("dtype") || !t["dtype"].is_string() || !t.contains("shape") ||
          !t["shape"].is_array() || !t.contains("data_offsets") || !t["data_offsets"].is_array())
        throw fail("tensor '" + name + "' needs dtype, shape and data_offsets");
      SafetensorsFile::Tensor x;
      x.dtype = t["dtype"].get<std::string>();
      std::size_t size = safetensors_dtype_size(x.dtype);
      if (!size) throw fail("tensor '" + name + "' has an unknown dtype '" + printable(x.dtype) + "'");
      unsigned __int128 count = 1;
      for (const auto &d : t["shape"]) {
        if (!d.is_number_unsigned() || d.get<uint64_t>() > uint64_t(1) << 48)
          throw fail("tensor '" + name + "' has a bad shape " + printable(t["shape"].dump()));
        x.shape.push_back(long(d.get<uint64_t>()));
        count *= d.get<uint64_t>();
        if (count > (unsigned __int128)(1) << 64) throw fail("tensor '" + name + "' is too large");
      }
      const auto &off = t["data_offsets"];
      if (off.size() != 2 || !off[0].is_number_unsigned() || !off[1].is_number_unsigned())
        throw fail("tensor '" + name + "': data_offsets is not [begin, end]");
      uint64_t b = off[0].get<uint64_t>(), e = off[1].get<uint64_t>();
      if (b > e || e > data_size)
        throw fail("tensor '" + name + "': data offsets [" + std::to_string(b) + ", " + std::to_string(e) +
                   ") out of range (" + std::to_string(data_size) + " bytes of data; truncated file?)");
      if ((unsigned __int128)(e - b) != count * size)
        throw fail("tensor '" + name + "': " + std::to_string(e - b) + " bytes of data for its " + x.dtype +
                   shape_string(x.shape.data(), int(x.shape.size())));
      x.begin = data_start + b, x.end = data_start + e;
      f.tensors[key] = std::move(x);
    }
  } catch (const nlohmann::json::exception &e) {
    throw fail("bad header: " + printable(e.what()));
  }
  f.bytes = std::move(file);
  return f;
}

SafetensorsFile read_safetensors(const std::string &path, const std::string &what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error("cannot open " + what + ": " + std::strerror(errno));
  std::string file((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) throw Error("cannot read " + what + ": " + std::strerror(errno));
  return parse_safetensors(std::move(file), what);
}

void save_checkpoint(const std::string &path, ParamStore &params, ParamStore &state, TrainLog &log) {
  if (rank() != 0) return; // the ranks of a data-parallel run hold the same values: rank 0 writes them
  nlohmann::ordered_json header;
  nlohmann::ordered_json meta = {{"format", "pt"}, {"producer", "loom"}};
  for (auto &[name, steps] : log.step_counts()) meta["loom.steps." + name] = std::to_string(steps);
  header["__metadata__"] = meta;
  std::size_t offset = 0;
  auto all = entries(params, state);
  for (Entry e : all) {
    const ParamSpec &s = e.store->spec(e.index);
    header[s.name] = {{"dtype", dtype_info(s.dtype).safetensors}, {"shape", s.shape}, {"data_offsets", {offset, offset + bytes(e)}}};
    offset += bytes(e);
  }
  std::string text = header.dump();
  text.append((8 - text.size() % 8) % 8, ' '); // keep the data 8-byte aligned, as safetensors does

  // Crash-safe: the old file stays whole until the new one is on disk (write,
  // fsync, rename, fsync the directory), so a kill at any moment leaves one of the two.
  const std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw Error("cannot write checkpoint " + tmp + ": " + std::strerror(errno));
  try {
    uint64_t n = text.size();
    char len[8];
    for (int i = 0; i < 8; ++i) len[i] = static_cast<char>(n >> (8 * i)); // little-endian
    write_all(fd, len, 8, tmp);
    write_all(fd, text.data(), text.size(), tmp);
    for (Entry e : all) write_all(fd, static_cast<const char *>(raw(e)), bytes(e), tmp);
    fsync_or_throw(fd, tmp);
  } catch (...) {
    ::close(fd);
    ::unlink(tmp.c_str());
    throw;
  }
  if (::close(fd) != 0) throw Error("cannot write checkpoint " + tmp + ": " + std::strerror(errno));
  if (std::rename(tmp.c_str(), path.c_str()) != 0)
    throw Error("cannot rename " + tmp + " to " + path + ": " + std::strerror(errno));
  std::string dir = std::filesystem::path(path).parent_path().string();
  int dfd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    fsync_or_throw(dfd, dir.empty() ? "." : dir);
    ::close(dfd);
  }
}

void load_checkpoint(const std::string &path, ParamStore &params, ParamStore &state, TrainLog &log) {
  load(path, params, state, log, true);
}

void load_weights(const std::string &path, ParamStore &params, ParamStore &state, TrainLog &log) {
  load(path, params, state, log, false);
}

std::string summary(const std::string &model, const ParamStore &params, std::span<const MemoryPlan> plans) {
  struct Layer {
    std::string name, tensors;
    long trainable = 0, frozen = 0;
  };
  std::vector<Layer> layers;
  long trainable = 0, frozen = 0;
  uint64_t bytes_total = 0;
  for (std::size_t i = 0; i < params.size(); ++i) {
    const ParamSpec &s = params.spec(i);
    std::string name = s.name;
    std::size_t dot = name.rfind('.');
    std::string layer = dot == std::string::npos ? name : name.substr(0, dot);
    std::string leaf = dot == std::string::npos ? name : name.substr(dot + 1);
    if (layers.empty() || layers.back().name != layer) layers.push_back({layer});
    Layer &l = layers.back();
    l.tensors += (l.tensors.empty() ? "" : " ") + leaf + shape_string(s.shape.data(), int(s.shape.size()));
    (s.frozen ? l.frozen : l.trainable) += params.numel(i);
    (s.frozen ? frozen : trainable) += params.numel(i);
    bytes_total += params.numel(i) * dtype_size(s.dtype);
  }
  auto thousands = [](long v) {
    std::string d = std::to_string(v), r;
    for (std::size_t i = 0; i < d.size(); ++i) r += (i && (d.size() - i) % 3 == 0 ? "," : "") + d.substr(i, 1);
    return r;
  };
  std::size_t w0 = 5, w1 = 7;
  for (const Layer &l : layers) w0 = std::max(w0, l.name.size()), w1 = std::max(w1, l.tensors.size());
  std::ostringstream os;
  char line[64];
  auto row = [&](const std::string &a, const std::string &b, const std::string &c, const std::string &d) {
    std::snprintf(line, sizeof line, "  %14s  %12s\n", c.c_str(), d.c_str());
    os << a << std::string(w0 - a.size() + 2, ' ') << b << std::string(w1 - b.size(), ' ') << line;
  };
  os << model << ": " << params.size() << " parameter tensors in " << layers.size() << " layers\n";
  row("layer", "tensors", "trainable", "frozen");
  for (const Layer &l : layers) row(l.name, l.tensors, thousands(l.trainable), thousands(l.frozen));
  row("total", "", thousands(trainable), thousands(frozen));
  os << "parameters and buffers: " << format_bytes(bytes_total) << "\n";
  if (!plans.empty()) os << "\nmemory plan (per call):\n" << format(plans);
  return os.str();
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
