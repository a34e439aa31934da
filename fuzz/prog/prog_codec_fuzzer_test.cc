// SPDX-License-Identifier: Apache-2.0
// Runs the prog_codec_fuzzer entry point on random and text-like inputs (fixed seeds), so the
// fuzz target's own property checks run in every test build, not only under a fuzzing engine.
#include <gtest/gtest.h>

#include <random>

#include "fuzz/prog/binary_codec.h"
#include "fuzz/prog/testing/random_program.h"
#include "fuzz/prog/text_codec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace hvfuzz::prog {
namespace {

int RunOne(std::string_view input) {
  return LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(input.data()), input.size());
}

TEST(ProgCodecFuzzerTest, RandomBytes) {
  std::mt19937_64 rng(42);
  for (int i = 0; i < 3000; ++i) {
    const std::vector<uint8_t> bytes = testing::RandomBytes(rng, 300);
    EXPECT_EQ(LLVMFuzzerTestOneInput(bytes.data(), bytes.size()), 0);
  }
}

TEST(ProgCodecFuzzerTest, MutatedProgramText) {
  std::mt19937_64 rng(7);
  for (int i = 0; i < 1000; ++i) {
    std::string text = Print(testing::RandomProgram(rng));
    for (int flips = rng() % 4; flips > 0; --flips) text[rng() % text.size()] = char(rng() % 128);
    if (rng() % 2) text.resize(rng() % (text.size() + 1));
    EXPECT_EQ(RunOne(text), 0);
  }
}

TEST(ProgCodecFuzzerTest, EdgeInputs) {
  EXPECT_EQ(RunOne(""), 0);
  EXPECT_EQ(RunOne("\n"), 0);
  EXPECT_EQ(RunOne(std::string(1000, '\xff')), 0);
  EXPECT_EQ(RunOne(std::string(1000, '\0')), 0);
  EXPECT_EQ(RunOne("# hvfuzz-prog v1\n# threads:"), 0);
}

}  // namespace
}  // namespace hvfuzz::prog
