// Datasets: IDX files (MNIST, Fashion-MNIST; gzip or plain), CIFAR-10's binary
// batches, and seeded shuffling into fixed-size batches.
#pragma once

#include "loom/rt/error.hpp"
#include "loom/rt/philox.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace loom::rt {

/// Images as float in [0, 1], NCHW, with integer labels.
struct Dataset {
  long n = 0, c = 0, h = 0, w = 0;
  std::vector<float> images;
  std::vector<int64_t> labels;
  long image_size() const { return c * h * w; }
  const float *image(long i) const { return images.data() + i * image_size(); }
  /// The first `count` examples (all if count >= n).
  Dataset head(long count) const;
};

/// An IDX pair (images: magic 0x803, labels: magic 0x801), gzip'd or not. Errors
/// name the file and the problem: missing, wrong magic, truncated, counts that
/// differ, a label outside [0, classes).
Dataset read_idx(const std::string &images_path, const std::string &labels_path, int classes = 10);

/// The same checks on files already in memory (the names are for messages; the fuzzer's entry point).
Dataset parse_idx(const std::vector<unsigned char> &images, const std::vector<unsigned char> &labels,
                  const std::string &images_path, const std::string &labels_path, int classes = 10);

/// Fashion-MNIST's "train" (60,000) or "test" (10,000) split from `dir`
/// (Debian's dataset-fashion-mnist installs it in /usr/share/datasets/fashion-mnist).
Dataset load_fashion_mnist(const std::string &split, const std::string &dir = "/usr/share/datasets/fashion-mnist");

/// CIFAR-10 binary batches (each record: a label byte, then 3x32x32 bytes).
Dataset read_cifar10(const std::vector<std::string> &paths);
/// Appends one batch file's records already in memory (all or none; `path` is for messages).
void append_cifar10(Dataset &d, const std::vector<unsigned char> &data, const std::string &path);

/// Which part of each global batch a process of a data-parallel run reads
/// (loom::rt::this_shard() gives this process's).
struct Shard {
  int rank = 0, count = 1;
};

/// Visits a dataset in batches of a fixed size, shuffled from (seed, epoch)
/// with a Philox-driven Fisher-Yates shuffle; the last partial batch of an
/// epoch is dropped (static batch sizes). With a shard of `count` processes,
/// every process shuffles alike and global batch b (batch * count examples)
/// is split in rank order: this process's batch b is its rank's slice, so
/// count processes on batches of `batch` see exactly what one process on
/// batches of batch * count sees.
class Batcher {
public:
  Batcher(const Dataset &data, long batch, uint64_t seed, bool shuffle = true, Shard shard = {});
  long batches_per_epoch() const { return data_.n / (batch_ * shard_.count); }
  /// Copies batch `b` of epoch `epoch` into images (batch * image_size floats) and labels.
  void fill(long epoch, long b, float *images, int64_t *labels);

private:
  const Dataset &data_;
  long batch_;
  uint64_t seed_;
  bool shuffle_;
  Shard shard_;
  long order_epoch_ = -1;
  std::vector<long> order_;
};

} // namespace loom::rt
