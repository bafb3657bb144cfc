// Dataset readers and batching: real Fashion-MNIST, generated IDX and CIFAR-10
// files, and an error naming the file and the problem for each kind of bad file.
#include <loom/rt/data.hpp>

#include <doctest/doctest.h>

#include <zlib.h>

#include <cstdio>
#include <fstream>
#include <set>
#include <string>
#include <vector>

using namespace loom::rt;

namespace {
std::vector<unsigned char> be(uint32_t v) { return {uint8_t(v >> 24), uint8_t(v >> 16), uint8_t(v >> 8), uint8_t(v)}; }

void write(const std::string &path, const std::vector<unsigned char> &bytes, bool gzip) {
  if (gzip) {
    gzFile f = gzopen(path.c_str(), "wb");
    gzwrite(f, bytes.data(), unsigned(bytes.size()));
    gzclose(f);
  } else {
    std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char *>(bytes.data()), bytes.size());
  }
}

/// An IDX pair with n images of 3x2 pixels: pixel k of image i is 10*i + k; label i % 3.
void write_idx(const std::string &stem, int n, bool gzip, uint32_t image_magic = 0x803, int drop = 0, int label_add = 0) {
  std::vector<unsigned char> im = be(image_magic), lb = be(0x801);
  for (auto v : {be(n), be(3), be(2)}) im.insert(im.end(), v.begin(), v.end());
  for (int i = 0; i < n; ++i)
    for (int k = 0; k < 6; ++k) im.push_back(uint8_t(10 * i + k));
  im.resize(im.size() - drop);
  auto c = be(n);
  lb.insert(lb.end(), c.begin(), c.end());
  for (int i = 0; i < n; ++i) lb.push_back(uint8_t(i % 3 + label_add));
  write(stem + "-images", im, gzip);
  write(stem + "-labels", lb, gzip);
}
} // namespace

TEST_CASE("IDX files, gzip'd or plain") {
  for (bool gzip : {true, false}) {
    write_idx("t", 5, gzip);
    auto d = read_idx("t-images", "t-labels", 3);
    CHECK(d.n == 5);
    CHECK(d.c == 1);
    CHECK(d.h == 3);
    CHECK(d.w == 2);
    CHECK(d.image(4)[5] == doctest::Approx(45 / 255.0));
    CHECK(d.labels == std::vector<int64_t>{0, 1, 2, 0, 1});
  }
}

TEST_CASE("bad IDX files are refused with the file and the problem") {
  CHECK_THROWS_WITH(read_idx("missing-images", "missing-labels"), doctest::Contains("missing-images: cannot open"));
  write_idx("m", 4, true, 0x802);
  CHECK_THROWS_WITH(read_idx("m-images", "m-labels"), "m-images: not an IDX image file (magic 2050, expected 2051)");
  write_idx("tr", 4, true, 0x803, 5);
  CHECK_THROWS_WITH(read_idx("tr-images", "tr-labels"), "tr-images: truncated (19 bytes of pixels for 4 images of 3x2)");
  write_idx("lab", 4, true, 0x803, 0, 9);
  CHECK_THROWS_WITH(read_idx("lab-images", "lab-labels", 10), "lab-labels: label 10 of example 1 is outside [0, 10)");
  // A gzip stream cut short: zlib's own message, the same every time (it was
  // read after gzclose freed it, and printed garbage).
  write_idx("gz", 40, true);
  {
    std::ifstream in("gz-images", std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::ofstream("gzcut-images", std::ios::binary) << bytes.substr(0, bytes.size() / 2);
  }
  CHECK_THROWS_WITH(read_idx("gzcut-images", "gz-labels"), "gzcut-images: cannot read (unexpected end of file)");
  write_idx("a", 4, true);
  write_idx("b", 3, true);
  CHECK_THROWS_WITH(read_idx("a-images", "b-labels"), "b-labels: has 3 labels for 4 images in a-images");
}

TEST_CASE("CIFAR-10 binary batches") {
  std::vector<unsigned char> bytes;
  for (int r = 0; r < 3; ++r) {
    bytes.push_back(uint8_t(7 - r));
    for (int i = 0; i < 3072; ++i) bytes.push_back(uint8_t((r + i) % 256));
  }
  write("cifar.bin", bytes, false);
  auto d = read_cifar10({"cifar.bin", "cifar.bin"});
  CHECK(d.n == 6);
  CHECK(d.c == 3);
  CHECK(d.h == 32);
  CHECK(d.labels[2] == 5);
  CHECK(d.image(1)[1024] == doctest::Approx(((1 + 1024) % 256) / 255.0)); // green plane of record 1
  bytes.pop_back();
  write("short.bin", bytes, false);
  CHECK_THROWS_WITH(read_cifar10({"short.bin"}), doctest::Contains("short.bin: 9218 bytes is not a whole number of CIFAR-10 records"));
  bytes.push_back(0);
  bytes[3073] = 10;
  write("label.bin", bytes, false);
  CHECK_THROWS_WITH(read_cifar10({"label.bin"}), "label.bin: label 10 of record 1 is outside [0, 10)");
}

TEST_CASE("batches: a seeded permutation per epoch, partial batch dropped") {
  write_idx("b", 10, false);
  auto d = read_idx("b-images", "b-labels", 3);
  Batcher a(d, 3, 42), b(d, 3, 42), c(d, 3, 43);
  CHECK(a.batches_per_epoch() == 3);
  std::vector<float> img(3 * 6);
  int64_t la[3], lb[3];
  std::set<int> seen;
  std::vector<int> order0, order1, orderC;
  for (long k = 0; k < 3; ++k) {
    a.fill(0, k, img.data(), la);
    for (int j = 0; j < 3; ++j) seen.insert(int(img[j * 6] * 255 / 10 + 0.5)), order0.push_back(int(img[j * 6] * 255 + 0.5));
    b.fill(0, k, img.data(), lb);
    CHECK(std::equal(la, la + 3, lb));
    a.fill(1, k, img.data(), la);
    for (int j = 0; j < 3; ++j) order1.push_back(int(img[j * 6] * 255 + 0.5));
    c.fill(0, k, img.data(), la);
    for (int j = 0; j < 3; ++j) orderC.push_back(int(img[j * 6] * 255 + 0.5));
  }
  CHECK(seen.size() == 9); // 9 distinct examples: a permutation, minus the dropped one
  CHECK(order0 != order1);
  CHECK(order0 != orderC);
  CHECK_THROWS_WITH(Batcher(d, 11, 0), "the dataset has 10 examples, fewer than one batch of 11");
}

TEST_CASE("the shards of a data-parallel run split each global batch in rank order") {
  Dataset d;
  d.n = 20, d.c = 1, d.h = 1, d.w = 1;
  for (long i = 0; i < d.n; ++i) d.images.push_back(float(i)), d.labels.push_back(i % 10);
  Batcher whole(d, 6, 3), rank0(d, 3, 3, true, {0, 2}), rank1(d, 3, 3, true, {1, 2});
  CHECK(whole.batches_per_epoch() == 3);
  CHECK(rank0.batches_per_epoch() == 3);
  for (long e = 0; e < 2; ++e)
    for (long b = 0; b < 3; ++b) {
      float all[6], part[6];
      int64_t la[6], lp[6];
      whole.fill(e, b, all, la);
      rank0.fill(e, b, part, lp);
      rank1.fill(e, b, part + 3, lp + 3);
      CHECK(std::equal(all, all + 6, part));
      CHECK(std::equal(la, la + 6, lp));
    }
  CHECK_THROWS_WITH(Batcher(d, 3, 0, true, {2, 2}), "shard 2 of 2: expected a rank from 0 to count - 1");
  CHECK_THROWS_WITH(Batcher(d, 8, 0, true, {0, 3}),
                    "the dataset has 20 examples, fewer than one batch of 8 for each of 3 processes");
}

TEST_CASE("Fashion-MNIST from Debian's dataset-fashion-mnist") {
  auto test = load_fashion_mnist("test");
  CHECK(test.n == 10000);
  CHECK(test.h == 28);
  CHECK(test.w == 28);
  std::vector<int> counts(10);
  for (auto l : test.labels) counts[l]++;
  for (int c : counts) CHECK(c == 1000);
  CHECK_THROWS_WITH(load_fashion_mnist("validation"), "Fashion-MNIST split 'validation' (expected train or test)");
}
