// The runtime's CUDA layer: device names, the error a binary gives where there
// is no driver, and, on a GPU (gpu/cuda_runtime_test) or with
// LOOM_CUDA_EMULATOR=1 (unit/cuda_runtime_emulated), the allocator's
// accounting, reuse and Staging's round trip.
#include <loom/rt/runtime.hpp>

#include <doctest/doctest.h>

#include <cstdlib>
#include <cstring>
#include <string>

using namespace loom::rt;

namespace {
bool emulated() {
  const char *v = std::getenv("LOOM_CUDA_EMULATOR");
  return v && *v && std::string(v) != "0";
}
} // namespace

TEST_CASE("devices by name") {
  CHECK(parse_device("cpu") == Device::cpu);
  CHECK(parse_device("cuda") == Device::cuda);
  CHECK(std::string(device_name(Device::cuda)) == "cuda");
  CHECK_THROWS_WITH_AS(parse_device("gpu"), "unknown device 'gpu' (expected cpu or cuda)", Error);
}

TEST_CASE("without a driver, asking for the GPU is an error that says so") {
  std::string why;
  if (emulated() || cuda::available(&why)) {
    MESSAGE("a GPU (or the emulator) is here: nothing to check");
    return;
  }
  MESSAGE(why);
  CHECK(why.find("libcuda.so.1") != std::string::npos);
  CHECK_THROWS_AS(cuda::require(), Error);
  CHECK_THROWS_AS(set_default_device(Device::cuda), Error);
  CHECK(default_device() == Device::cpu); // unchanged
  CHECK_THROWS_AS(Buffer(16, Device::cuda), Error);
}

TEST_CASE("device memory: accounting, reuse, staging") {
  if (!cuda::available()) {
    MESSAGE("no GPU: runs as gpu/cuda_runtime_test on one, and as unit/cuda_runtime_emulated (LOOM_CUDA_EMULATOR=1)");
    return;
  }
  MESSAGE(cuda::device_description());
  if (!emulated()) { // the driver's figures
    CHECK(cuda::device_description().find("(sm_") != std::string::npos);
    auto d = cuda::memory_stats();
    CHECK(d.device_total > 0);
    CHECK(d.device_free <= d.device_total);
  }
  auto before = cuda::memory_stats();
  void *a = cuda::alloc(1000), *b = cuda::alloc(5000);
  auto s = cuda::memory_stats();
  CHECK(s.allocated == before.allocated + 1024 + 5120); // 512-byte blocks
  CHECK(s.peak >= s.allocated);
  cuda::free(a);
  CHECK(cuda::memory_stats().allocated == s.allocated - 1024);
  CHECK(cuda::alloc(900) == a); // same block size: the freed block comes back
  cuda::free(a), cuda::free(b);
  CHECK(cuda::memory_stats().allocated == before.allocated);
  CHECK(cuda::memory_stats().peak == s.peak);
  cuda::reset_peak();
  CHECK(cuda::memory_stats().peak == before.allocated);
  CHECK_THROWS_WITH_AS(cuda::free(reinterpret_cast<void *>(0x1000)),
                       "CUDA: free of a pointer loom's allocator did not hand out", Error);

  float in[3] = {1, 2, 3}, out[3] = {};
  {
    Staging st;
    float *din = st.in(static_cast<const float *>(in), 3), *dout = st.out(out, 3);
    CHECK(din != in);
    for (int i = 0; i < 3; ++i) dout[i] = 2 * din[i];
    CHECK(out[0] == 0); // results come back at finish()
    st.finish();
  }
  CHECK(out[2] == 6);
  CHECK(cuda::memory_stats().allocated == before.allocated); // staging blocks returned

  Buffer buf(100, Device::cuda);
  CHECK(buf.device() == Device::cuda);
  CHECK(buf.data()[99] == std::byte{0});
}
