// SPDX-License-Identifier: Apache-2.0
// The AFL++ custom-mutator library's C API as afl-fuzz calls it (afl_mutator.cc compiled into
// this test): init needs HVFUZZ_SLICE and a valid HVFUZZ_AFL_FUZZ_COUNT, fuzz_count is the
// per-entry stage length (16 unless overridden), and fuzz hands back a mutant within max_size.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstdint>
#include <cstring>
#include <vector>

extern "C" void* afl_custom_init(void* afl, unsigned int seed);
extern "C" uint32_t afl_custom_fuzz_count(void* data, const uint8_t* buf, size_t buf_size);
extern "C" size_t afl_custom_fuzz(void* data, uint8_t* buf, size_t buf_size, uint8_t** out_buf,
                                  uint8_t* add_buf, size_t add_buf_size, size_t max_size);
extern "C" void afl_custom_deinit(void* data);

namespace {

// Sets (or, with nullptr, unsets) the variables init reads, for one test.
void Env(const char* slice, const char* count) {
  if (slice != nullptr) {
    setenv("HVFUZZ_SLICE", slice, 1);
  } else {
    unsetenv("HVFUZZ_SLICE");
  }
  if (count != nullptr) {
    setenv("HVFUZZ_AFL_FUZZ_COUNT", count, 1);
  } else {
    unsetenv("HVFUZZ_AFL_FUZZ_COUNT");
  }
}

TEST(AflMutatorTest, FuzzCountIs16UnlessOverridden) {
  Env("vm", nullptr);
  void* m = afl_custom_init(nullptr, 1);
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(afl_custom_fuzz_count(m, nullptr, 0), 16u);
  afl_custom_deinit(m);

  Env("vm", "300");
  m = afl_custom_init(nullptr, 1);
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(afl_custom_fuzz_count(m, nullptr, 0), 300u);
  afl_custom_deinit(m);
}

TEST(AflMutatorTest, InitRefusesWhatItCannotWorkWith) {
  // afl-fuzz stops on a null init: better than fuzzing without the target's operations, or
  // with a stage of 0 mutants (AFL_CUSTOM_MUTATOR_ONLY would then fuzz nothing).
  for (const char* bad : {"0", "abc", "16x", "99999999999"}) {
    Env("vm", bad);
    EXPECT_EQ(afl_custom_init(nullptr, 1), nullptr) << "HVFUZZ_AFL_FUZZ_COUNT=" << bad;
  }
  Env(nullptr, nullptr);
  EXPECT_EQ(afl_custom_init(nullptr, 1), nullptr) << "no HVFUZZ_SLICE";
}

TEST(AflMutatorTest, MutantsFitMaxSizeAndVary) {
  Env("gpc", nullptr);
  void* m = afl_custom_init(nullptr, 7);
  ASSERT_NE(m, nullptr);
  std::vector<uint8_t> in(64);
  for (size_t i = 0; i < in.size(); ++i) in[i] = static_cast<uint8_t>(i * 37);
  std::vector<uint8_t> other(in.rbegin(), in.rend());
  int differ = 0;
  for (int i = 0; i < 200; ++i) {
    uint8_t* out = nullptr;
    const size_t max_size = 256;
    const size_t n = afl_custom_fuzz(m, in.data(), in.size(), &out, other.data(), other.size(),
                                     max_size);
    ASSERT_NE(out, nullptr);
    ASSERT_GT(n, 0u);
    ASSERT_LE(n, max_size);
    if (n != in.size() || std::memcmp(out, in.data(), n) != 0) ++differ;
  }
  EXPECT_GT(differ, 150);
  afl_custom_deinit(m);
  Env(nullptr, nullptr);
}

}  // namespace
