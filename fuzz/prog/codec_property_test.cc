// SPDX-License-Identifier: Apache-2.0
// Randomized properties of the codecs (fixed seeds, so failures reproduce):
//   - Decode is total: every byte string decodes to a valid program, under every slice;
//   - Decode(Encode(p)) == p, and Encode(Decode(b)) decodes to the same program;
//   - Print(p) parses strictly back to p, and canonical text is a fixed point;
//   - lenient parsing of damaged text always succeeds with a valid program.
#include <gtest/gtest.h>

#include <random>
#include <set>

#include "fuzz/prog/binary_codec.h"
#include "fuzz/prog/testing/random_program.h"
#include "fuzz/prog/text_codec.h"

namespace hvfuzz::prog {
namespace {

using testing::RandomBytes;
using testing::RandomProgram;

std::vector<DecodeOptions> EverySlice() {
  std::vector<DecodeOptions> out(1);
  std::set<std::string_view> slices;
  for (const model::OpSpec& spec : model::Operations()) slices.insert(spec.slice);
  for (std::string_view slice : slices) out.push_back({*OpSet::ForSlices(slice)});
  return out;
}

void ExpectTextRoundTrip(const Program& p) {
  const std::string text = Print(p);
  const ParseResult r = Parse(text, ParseMode::kStrict, "prop.hvp");
  ASSERT_TRUE(r.ok()) << r.error->ToString() << "\n" << text;
  EXPECT_EQ(*r.program, p) << text;
  EXPECT_EQ(Print(*r.program), text);
}

class CodecPropertyTest : public ::testing::TestWithParam<uint64_t> {};

TEST_P(CodecPropertyTest, DecodeIsTotalAndRoundTrips) {
  std::mt19937_64 rng(GetParam());
  const std::vector<DecodeOptions> slices = EverySlice();
  for (int i = 0; i < 1000; ++i) {
    const std::vector<uint8_t> bytes = RandomBytes(rng, 400);
    for (const DecodeOptions& options : slices) {
      const Program p = Decode(bytes, options);
      ASSERT_EQ(Validate(p), "") << i;
      ASSERT_TRUE(options.ops.ContainsAll(p));
      const std::vector<uint8_t> encoded = Encode(p);
      ASSERT_EQ(Decode(encoded, options), p) << i;
      ASSERT_EQ(Encode(Decode(encoded, options)), encoded) << i;
      ExpectTextRoundTrip(p);
    }
  }
}

TEST_P(CodecPropertyTest, RandomProgramsRoundTrip) {
  std::mt19937_64 rng(GetParam());
  for (int i = 0; i < 1000; ++i) {
    const Program p = RandomProgram(rng);
    ASSERT_EQ(Validate(p), "") << i;
    EXPECT_EQ(Decode(Encode(p)), p) << Print(p);
    ExpectTextRoundTrip(p);
  }
}

// Damages canonical text: deletes, duplicates or swaps bytes and lines, inserts junk.
std::string Damage(std::string text, std::mt19937_64& rng) {
  static constexpr std::string_view kJunk[] = {
      "=",         " ",        "\n",  "#",  "t9", "0x", "99999999999999999999",
      "schedule:", "# seed: ", "x=1", "\t", "t0 "};
  const int edits = 1 + rng() % 4;
  for (int e = 0; e < edits && !text.empty(); ++e) {
    const size_t pos = rng() % text.size();
    switch (rng() % 4) {
      case 0:
        text.erase(pos, 1 + rng() % 8);
        break;
      case 1:
        text.insert(pos, kJunk[rng() % std::size(kJunk)]);
        break;
      case 2:
        text[pos] = static_cast<char>(rng());
        break;
      default:
        text.insert(pos, text.substr(rng() % text.size(), rng() % 40));
    }
  }
  return text;
}

TEST_P(CodecPropertyTest, LenientParseOfDamagedTextIsValid) {
  std::mt19937_64 rng(GetParam());
  for (int i = 0; i < 1000; ++i) {
    const std::string text = Damage(Print(RandomProgram(rng)), rng);
    const ParseResult lenient = Parse(text, ParseMode::kLenient, "damaged.hvp");
    ASSERT_TRUE(lenient.ok()) << text;
    ASSERT_EQ(Validate(*lenient.program), "") << text;
    ExpectTextRoundTrip(*lenient.program);
    const ParseResult strict = Parse(text, ParseMode::kStrict, "damaged.hvp");
    if (strict.ok()) {
      EXPECT_EQ(*strict.program, *lenient.program) << text;
    } else {
      EXPECT_GE(strict.error->line, 1);
      EXPECT_GE(strict.error->column, 1);
      EXPECT_FALSE(strict.error->message.empty());
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Seeds, CodecPropertyTest, ::testing::Values(1, 2, 3, 0x5eed));

}  // namespace
}  // namespace hvfuzz::prog
