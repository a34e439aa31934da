// SPDX-License-Identifier: Apache-2.0
// ScheduleTrace's text form round-trips, rejects malformed input with a column, and
// FirstDifference finds where a replay left its recording.
#include "fuzz/sched/schedule_trace.h"

#include "fuzz/sched/internal/prng.h"
#include "gtest/gtest.h"

namespace hvfuzz::sched {
namespace {

TEST(ScheduleTraceTest, TextIsTaskIdsWithTPrefix) {
  ScheduleTrace t;
  for (uint32_t id : {0u, 1u, 1u, 12u}) t.Record(id);
  EXPECT_EQ(t.ToText(), "t0 t1 t1 t12");
  EXPECT_EQ(ScheduleTrace{}.ToText(), "");
}

TEST(ScheduleTraceTest, RandomTracesRoundTripAndTextIsAFixedPoint) {
  internal::Prng rng(42);
  for (int round = 0; round < 200; ++round) {
    ScheduleTrace t;
    uint64_t len = rng.Below(100);
    for (uint64_t i = 0; i < len; ++i) t.Record(static_cast<uint32_t>(rng.Below(1000)));
    std::string text = t.ToText();
    auto parsed = ScheduleTrace::ParseText(text);
    ASSERT_TRUE(parsed.has_value()) << text;
    EXPECT_EQ(*parsed, t.decisions);
    ScheduleTrace again;
    again.decisions = *parsed;
    EXPECT_EQ(again.ToText(), text);
  }
}

TEST(ScheduleTraceTest, ParseAcceptsAnyWhitespaceAndReportsErrorsWithAColumn) {
  EXPECT_EQ(ScheduleTrace::ParseText("  t3\n\tt0  "), (std::vector<uint32_t>{3, 0}));
  struct Case {
    const char* text;
    const char* error;
  };
  for (const Case& c : {Case{"t1 x2", "col 4: expected 't<task id>'"},
                        Case{"t", "col 2: expected a task id after 't'"},
                        Case{"t1t2", "col 3: expected whitespace after a task id"},
                        Case{"t99999999999", "col 2: task id out of range"}}) {
    std::string error;
    EXPECT_FALSE(ScheduleTrace::ParseText(c.text, &error).has_value()) << c.text;
    EXPECT_EQ(error, c.error) << c.text;
  }
}

TEST(ScheduleTraceTest, FirstDifferenceFindsMismatchAndLengthDifferences) {
  using V = std::vector<uint32_t>;
  EXPECT_EQ(ScheduleTrace::FirstDifference(V{0, 1, 0}, V{0, 1, 0}), std::nullopt);
  EXPECT_EQ(ScheduleTrace::FirstDifference(V{0, 1, 0}, V{0, 0, 0}), 1u);
  EXPECT_EQ(ScheduleTrace::FirstDifference(V{0, 1, 0}, V{0, 1}), 2u);
  EXPECT_EQ(ScheduleTrace::FirstDifference(V{0}, V{0, 1}), 1u);
}

}  // namespace
}  // namespace hvfuzz::sched
