// SPDX-License-Identifier: Apache-2.0
// Prng: the strategies' random numbers. SplitMix64 (Steele, Lea, Flood, OOPSLA'14), with
// Lemire's multiply-shift for bounded draws: fixed output for a seed on every platform and
// standard library (std::uniform_int_distribution is not), two multiplies per draw.
#pragma once

#include <cstdint>

namespace hvfuzz::sched::internal {

class Prng {
 public:
  explicit Prng(uint64_t seed = 0) : state_(seed) {}

  uint64_t Next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  // Uniform in [0, bound) for bound >= 1 (bias below 2^-32 for the small bounds used here).
  uint64_t Below(uint64_t bound) {
    return static_cast<uint64_t>((static_cast<unsigned __int128>(Next()) * bound) >> 64);
  }

 private:
  uint64_t state_;
};

}  // namespace hvfuzz::sched::internal
