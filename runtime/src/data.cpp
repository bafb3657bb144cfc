#include "loom/rt/data.hpp"

#include <zlib.h>

#include <cerrno>
#include <cstring>
#include <numeric>

namespace loom::rt {

namespace {

/// The whole file, decompressed if it is gzip (zlib reads plain files too).
std::vector<unsigned char> read_file(const std::string &path) {
  gzFile f = gzopen(path.c_str(), "rb");
  if (!f) throw Error(path + ": cannot open (" + std::strerror(errno) + ")");
  std::vector<unsigned char> data;
  unsigned char buf[1 << 16];
  int n;
  while ((n = gzread(f, buf, sizeof buf)) > 0) data.insert(data.end(), buf, buf + n);
  // zlib's message lives in the gzFile: copy it before gzclose frees it.
  int err = 0;
  std::string msg = gzerror(f, &err);
  if (err == Z_ERRNO) msg = std::strerror(errno);
  if (msg.rfind(path + ": ", 0) == 0) msg = msg.substr(path.size() + 2); // zlib names the file too
  gzclose(f);
  if (n < 0 || (err != Z_OK && err != Z_STREAM_END)) throw Error(path + ": cannot read (" + msg + ")");
  return data;
}

uint32_t be32(const std::vector<unsigned char> &d, size_t at) {
  return uint32_t(d[at]) << 24 | uint32_t(d[at + 1]) << 16 | uint32_t(d[at + 2]) << 8 | d[at + 3];
}

} // namespace

Dataset Dataset::head(long count) const {
  Dataset d = *this;
  d.n = std::min(n, count);
  d.images.resize(d.n * image_size());
  d.labels.resize(d.n);
  return d;
}

Dataset read_idx(const std::string &images_path, const std::string &labels_path, int classes) {
  return parse_idx(read_file(images_path), read_file(labels_path), images_path, labels_path, classes);
}

Dataset parse_idx(const std::vector<unsigned char> &im, const std::vector<unsigned char> &lb,
                  const std::string &images_path, const std::string &labels_path, int classes) {
  if (im.size() < 16) throw Error(images_path + ": truncated (no IDX header)");
  if (be32(im, 0) != 0x803)
    throw Error(images_path + ": not an IDX image file (magic " + std::to_string(be32(im, 0)) + ", expected 2051)");
  if (lb.size() < 8) throw Error(labels_path + ": truncated (no IDX header)");
  if (be32(lb, 0) != 0x801)
    throw Error(labels_path + ": not an IDX label file (magic " + std::to_string(be32(lb, 0)) + ", expected 2049)");
  Dataset d;
  d.n = be32(im, 4), d.c = 1, d.h = be32(im, 8), d.w = be32(im, 12);
  // Three 32-bit counts: their product needs more than 64 bits.
  const unsigned __int128 pixels = (unsigned __int128)(d.n) * d.h * d.w;
  if (pixels > im.size() - 16)
    throw Error(images_path + ": truncated (" + std::to_string(im.size() - 16) + " bytes of pixels for " +
                std::to_string(d.n) + " images of " + std::to_string(d.h) + "x" + std::to_string(d.w) + ")");
  if (long(be32(lb, 4)) != d.n)
    throw Error(labels_path + ": has " + std::to_string(be32(lb, 4)) + " labels for " + std::to_string(d.n) +
                " images in " + images_path);
  if (lb.size() < 8 + size_t(d.n)) throw Error(labels_path + ": truncated");
  d.images.resize(std::size_t(pixels));
  for (size_t i = 0; i < d.images.size(); ++i) d.images[i] = im[16 + i] / 255.0f;
  d.labels.resize(d.n);
  for (long i = 0; i < d.n; ++i) {
    if (lb[8 + i] >= classes)
      throw Error(labels_path + ": label " + std::to_string(lb[8 + i]) + " of example " + std::to_string(i) +
                  " is outside [0, " + std::to_string(classes) + ")");
    d.labels[i] = lb[8 + i];
  }
  return d;
}

Dataset load_fashion_mnist(const std::string &split, const std::string &dir) {
  if (split != "train" && split != "test")
    throw Error("Fashion-MNIST split '" + split + "' (expected train or test)");
  std::string prefix = dir + "/" + (split == "train" ? "train" : "t10k");
  return read_idx(prefix + "-images-idx3-ubyte.gz", prefix + "-labels-idx1-ubyte.gz");
}

Dataset read_cifar10(const std::vector<std::string> &paths) {
  Dataset d;
  d.c = 3, d.h = 32, d.w = 32;
  for (const auto &path : paths) append_cifar10(d, read_file(path), path);
  return d;
}

void append_cifar10(Dataset &d, const std::vector<unsigned char> &data, const std::string &path) {
  const size_t record = 1 + 3 * 32 * 32;
  if (data.empty() || data.size() % record)
    throw Error(path + ": " + std::to_string(data.size()) + " bytes is not a whole number of CIFAR-10 records (" +
                std::to_string(record) + " bytes each): truncated or not CIFAR-10");
  for (size_t r = 0; r < data.size() / record; ++r) // check every label before keeping any record
    if (data[r * record] > 9)
      throw Error(path + ": label " + std::to_string(data[r * record]) + " of record " + std::to_string(r) +
                  " is outside [0, 10)");
  d.c = 3, d.h = 32, d.w = 32;
  for (size_t r = 0; r < data.size() / record; ++r) {
    const unsigned char *p = data.data() + r * record;
    d.labels.push_back(p[0]);
    for (size_t i = 1; i < record; ++i) d.images.push_back(p[i] / 255.0f);
    ++d.n;
  }
}

Batcher::Batcher(const Dataset &data, long batch, uint64_t seed, bool shuffle, Shard shard)
    : data_(data), batch_(batch), seed_(seed), shuffle_(shuffle), shard_(shard) {
  if (batch <= 0) throw Error("batch size must be positive");
  if (shard.count < 1 || shard.rank < 0 || shard.rank >= shard.count)
    throw Error("shard " + std::to_string(shard.rank) + " of " + std::to_string(shard.count) +
                ": expected a rank from 0 to count - 1");
  if (data.n < batch * shard.count)
    throw Error("the dataset has " + std::to_string(data.n) + " examples, fewer than one batch of " +
                std::to_string(batch) + (shard.count > 1 ? " for each of " + std::to_string(shard.count) + " processes" : ""));
}

void Batcher::fill(long epoch, long b, float *images, int64_t *labels) {
  if (b < 0 || b >= batches_per_epoch()) throw Error("batch " + std::to_string(b) + " out of range");
  if (order_epoch_ != epoch) {
    order_.resize(data_.n);
    std::iota(order_.begin(), order_.end(), 0);
    if (shuffle_) {
      auto key = Philox4x32::key(seed_);
      for (long i = data_.n - 1; i > 0; --i) { // Fisher-Yates
        uint64_t r = uint64_t(Philox4x32::bits(key, uint64_t(i), uint32_t(epoch), 1)) << 32 |
                     Philox4x32::bits(key, uint64_t(i), uint32_t(epoch), 2);
        std::swap(order_[i], order_[r % uint64_t(i + 1)]);
      }
    }
    order_epoch_ = epoch;
  }
  long size = data_.image_size();
  for (long k = 0; k < batch_; ++k) {
    long i = order_[(b * shard_.count + shard_.rank) * batch_ + k];
    std::memcpy(images + k * size, data_.image(i), size * sizeof(float));
    labels[k] = data_.labels[i];
  }
}

} // namespace loom::rt
