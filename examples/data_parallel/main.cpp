// Data-parallel training of E1 i's ConvNet on Fashion-MNIST, over MPI:
//
//   mpirun -np 2 build/examples/data_parallel/data_parallel --images 20000
//
// Every process reads its shard of each global batch of 64 and the train step
// averages the gradients over all of them (export_train_step(...,
// DataParallel{})), so 1, 2 or 4 processes take the same steps to float32
// noise. Rank 0 prints the throughput, the test accuracy and the loss, and
// writes the checkpoint.
#include "../common/accuracy.hpp"
#include "../common/args.hpp"
#include "dp_convnet.h"

#include <loom/rt/mpi.hpp>

#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

namespace {
constexpr long kGlobalBatch = 64;
} // namespace

int main(int argc, char **argv) {
  loom::rt::MpiSession mpi(argc, argv);
  auto args = examples::parse_args(
      argc, argv, "data_parallel", "E1 i's ConvNet trained data-parallel over MPI processes (mpirun -np 1, 2 or 4).",
      "out/data_parallel", nullptr,
      {{"images", "20000", "training images (the first N of Fashion-MNIST's 60,000)"},
       {"epochs", "1", "passes over them"},
       {"lr", "0.01", "SGD's learning rate (momentum 0.9)"},
       {"data", "/usr/share/datasets/fashion-mnist", "Fashion-MNIST's directory"}});
  const int ranks = mpi.size(), r = mpi.rank();
  if (ranks != 1 && ranks != 2 && ranks != 4) {
    if (r == 0) std::fprintf(stderr, "data_parallel: runs as 1, 2 or 4 processes (a global batch of 64), not %d\n", ranks);
    return 2;
  }
  const long images = args.parser.integer("images", kGlobalBatch), epochs = args.parser.integer("epochs", 1);
  const float lr = float(args.parser.number("lr"));
  loom::rt::Dataset train = loom::rt::load_fashion_mnist("train", args["data"]).head(images);
  loom::rt::Dataset test = loom::rt::load_fashion_mnist("test", args["data"]);

  dp_convnet::Model model(/*seed=*/3);
  loom::rt::synchronize(model.params(), model.optimizer_state(), model.log()); // rank 0's parameters everywhere
  const long batch = kGlobalBatch / ranks;
  loom::rt::Batcher batches(train, batch, /*seed=*/17, true, loom::rt::this_shard());
  std::vector<float> x(batch * 28 * 28);
  std::vector<int64_t> y(batch);
  float loss = 0;
  const auto t0 = std::chrono::steady_clock::now();
  for (long e = 0; e < epochs; ++e)
    for (long k = 0; k < batches.batches_per_epoch(); ++k) {
      batches.fill(e, k, x.data(), y.data());
      if (ranks == 1) loss = model.train_1(x, y, lr);
      else if (ranks == 2) loss = model.train_2(x, y, lr);
      else loss = model.train_4(x, y, lr);
    }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  loom::rt::check_identical(model.params(), model.optimizer_state()); // the ranks stayed in step
  const long seen = epochs * batches.batches_per_epoch() * kGlobalBatch;
  if (r == 0) {
    std::printf("data_parallel: %d process%s x %d thread%s (%s), global batch %ld (%ld per process)\n", ranks,
                ranks == 1 ? "" : "es", loom::rt::num_threads(), loom::rt::num_threads() == 1 ? "" : "s",
                mpi.communicator().name().c_str(), kGlobalBatch, batch);
    std::printf("  %ld images in %.1f s: %.0f images/s; last step's loss (rank 0's shard) %.4f; test accuracy %.1f%%\n",
                seen, secs, seen / secs, loss, 100 * examples::accuracy<100, 10>(test, [&](const float *x, float *logp) {
                  model.predict(loom::rt::View<const float, 100, 1, 28, 28>(x), loom::rt::View<float, 100, 10>(logp));
                }));
  }
  model.save(args.out + "/convnet.safetensors"); // rank 0 writes; the others return at once
  return 0;
}
