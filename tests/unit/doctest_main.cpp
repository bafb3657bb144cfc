// main() of every doctest binary. With LOOM_DEVICE=cuda (ctest's gpu/ tests)
// the same tests run with every model on the GPU; without one they skip
// (exit 77) and say why.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <loom/rt/device.hpp>
#include <loom/rt/error.hpp>

#include <cstdio>

int main(int argc, char **argv) {
  try {
    if (loom::rt::default_device() == loom::rt::Device::cuda) {
      std::string why;
      if (!loom::rt::cuda::available(&why)) {
        std::printf("SKIP: LOOM_DEVICE=cuda, but there is no usable GPU: %s\n", why.c_str());
        return 77;
      }
      std::printf("models run on the GPU: %s\n", loom::rt::cuda::device_description().c_str());
    }
  } catch (const loom::rt::Error &e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 2;
  }
  return doctest::Context(argc, argv).run();
}
