// Philox 4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3",
// SC 2011): a counter-based generator, so element i of any random tensor is a
// pure function of (key, i) and CPU and GPU code can agree on it.
#pragma once

#include <array>
#include <cmath>
#include <cstdint>

namespace loom::rt {

struct Philox4x32 {
  using Block = std::array<uint32_t, 4>;
  static constexpr uint32_t M0 = 0xD2511F53, M1 = 0xCD9E8D57, W0 = 0x9E3779B9, W1 = 0xBB67AE85;

  static Block generate(Block ctr, std::array<uint32_t, 2> key) {
    for (int round = 0; round < 10; ++round) {
      uint64_t p0 = uint64_t(M0) * ctr[0], p1 = uint64_t(M1) * ctr[2];
      ctr = {uint32_t(p1 >> 32) ^ ctr[1] ^ key[0], uint32_t(p1), uint32_t(p0 >> 32) ^ ctr[3] ^ key[1],
             uint32_t(p0)};
      key[0] += W0;
      key[1] += W1;
    }
    return ctr;
  }

  /// Random bits number `i` of the stream (key, c2, c3): counter (i/4 low,
  /// i/4 high, c2, c3), lane i % 4. Compiled code (loom.random_uniform, with
  /// c2 = step and c3 = the op's stream) computes exactly this.
  static uint32_t bits(std::array<uint32_t, 2> key, uint64_t i, uint32_t c2 = 0, uint32_t c3 = 0) {
    Block b = generate({uint32_t(i >> 2), uint32_t(i >> 34), c2, c3}, key);
    return b[i & 3];
  }

  /// Uniform in [0, 1) with 24 bits, exactly representable as float.
  static float uniform(std::array<uint32_t, 2> key, uint64_t i, uint32_t c2 = 0, uint32_t c3 = 0) {
    return static_cast<float>(bits(key, i, c2, c3) >> 8) * 0x1p-24f;
  }

  static std::array<uint32_t, 2> key(uint64_t seed) { return {uint32_t(seed), uint32_t(seed >> 32)}; }
};

} // namespace loom::rt
