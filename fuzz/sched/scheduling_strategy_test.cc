// SPDX-License-Identifier: Apache-2.0
// Strategies in isolation: the factory, determinism per seed, PCT's priority plan, replay's
// divergence, and the schedule-bytes prefix.
#include "fuzz/sched/scheduling_strategy.h"

#include <algorithm>
#include <set>
#include <vector>

#include "fuzz/sched/pct_strategy.h"
#include "fuzz/sched/random_strategy.h"
#include "fuzz/sched/replay_strategy.h"
#include "fuzz/sched/schedule_bytes_strategy.h"
#include "gtest/gtest.h"

namespace hvfuzz::sched {
namespace {

const std::vector<uint32_t> kThree = {0, 1, 2};

std::vector<size_t> Draw(SchedulingStrategy& s, int n) {
  std::vector<size_t> out;
  for (int i = 0; i < n; ++i) out.push_back(s.NextTask(kThree, 0));
  return out;
}

TEST(StrategyFactoryTest, CreatesEveryNamedStrategyAndRejectsUnknownNames) {
  for (std::string_view name : StrategyNames()) {
    ScheduleOptions o;
    o.strategy = std::string(name);
    auto s = CreateStrategy(o);
    ASSERT_NE(s, nullptr) << name;
    EXPECT_EQ(s->Describe().substr(0, name.size()), name);
  }
  ScheduleOptions bad;
  bad.strategy = "dfs";
  EXPECT_EQ(CreateStrategy(bad), nullptr);
}

TEST(StrategyFactoryTest, ScheduleBytesWrapEverythingButReplay) {
  ScheduleOptions o;
  o.schedule_bytes = {2, 2};
  o.strategy = "random";
  auto s = CreateStrategy(o);
  s->Reset(3);
  EXPECT_EQ(s->NextTask(kThree, 0), 2u);
  o.strategy = "replay";
  o.replay = {1};
  auto r = CreateStrategy(o);
  r->Reset(3);
  EXPECT_EQ(r->NextTask(kThree, 0), 1u);
}

TEST(RandomStrategyTest, SameSeedSameChoicesAndResetRestarts) {
  RandomStrategy a(7), b(7), c(8);
  auto first = Draw(a, 200);
  EXPECT_EQ(first, Draw(b, 200));
  EXPECT_NE(first, Draw(c, 200));
  a.Reset(3);
  EXPECT_EQ(first, Draw(a, 200));
  std::set<size_t> seen(first.begin(), first.end());
  EXPECT_EQ(seen, (std::set<size_t>{0, 1, 2}));
}

TEST(PctStrategyTest, PrioritiesAreADistinctShuffleAboveTheChangePoints) {
  PctStrategy s(3, /*depth=*/3, /*steps=*/50);
  s.Reset(4);
  std::vector<int> prios;
  for (uint32_t t = 0; t < 4; ++t) prios.push_back(s.TestOnlyPriority(t));
  std::sort(prios.begin(), prios.end());
  EXPECT_EQ(prios, (std::vector<int>{3, 4, 5, 6}));
  const auto& cps = s.TestOnlyChangePoints();
  ASSERT_EQ(cps.size(), 2u);
  EXPECT_LT(cps[0], cps[1]);
  EXPECT_GE(cps[0], 1u);
  EXPECT_LE(cps[1], 50u);
}

TEST(PctStrategyTest, RunsTheHighestPriorityAndDemotesAtChangePoints) {
  PctStrategy s(11, /*depth=*/2, /*steps=*/5);
  s.Reset(3);
  uint32_t top = 0;
  for (uint32_t t = 1; t < 3; ++t) {
    if (s.TestOnlyPriority(t) > s.TestOnlyPriority(top)) top = t;
  }
  uint64_t change = s.TestOnlyChangePoints().at(0);
  for (uint64_t i = 1; i < change; ++i) {
    EXPECT_EQ(kThree[s.NextTask(kThree, static_cast<int>(top))], top) << "decision " << i;
  }
  // At the change point the running task drops below everyone (priority d-1 = 1).
  EXPECT_NE(kThree[s.NextTask(kThree, static_cast<int>(top))], top);
  EXPECT_EQ(s.TestOnlyPriority(top), 1);
  // Alone it still runs.
  std::vector<uint32_t> only = {top};
  EXPECT_EQ(s.NextTask(only, static_cast<int>(top)), 0u);
}

TEST(PctStrategyTest, SameSeedSamePlan) {
  PctStrategy a(5, 3, 100), b(5, 3, 100);
  a.Reset(3);
  b.Reset(3);
  EXPECT_EQ(a.TestOnlyChangePoints(), b.TestOnlyChangePoints());
  EXPECT_EQ(Draw(a, 150), Draw(b, 150));
}

TEST(ReplayStrategyTest, FollowsTheTraceAndReportsTheFirstDivergence) {
  ReplayStrategy s({2, 0, 1});
  s.Reset(3);
  EXPECT_EQ(s.NextTask(kThree, 0), 2u);
  std::vector<uint32_t> without_zero = {1, 2};
  EXPECT_EQ(s.NextTask(without_zero, 1), 0u);  // t0 not runnable: first runnable instead
  EXPECT_EQ(s.divergence(), 1u);
  EXPECT_EQ(s.NextTask(kThree, 0), 1u);
  EXPECT_EQ(s.NextTask(kThree, 0), 0u);  // trace exhausted
  EXPECT_EQ(s.divergence(), 1u);         // still the first one
  s.Reset(3);
  EXPECT_FALSE(s.divergence().has_value());
}

TEST(ScheduleBytesStrategyTest, BytesModuloChoicesThenFallback) {
  ScheduleBytesStrategy s({5, 0, 255}, std::make_unique<ReplayStrategy>(std::vector<uint32_t>{1}));
  s.Reset(3);
  EXPECT_EQ(s.NextTask(kThree, 0), 2u);  // 5 % 3
  EXPECT_EQ(s.NextTask(kThree, 0), 0u);
  std::vector<uint32_t> two = {0, 2};
  EXPECT_EQ(s.NextTask(two, 0), 1u);  // 255 % 2
  EXPECT_EQ(s.consumed(), 3u);
  EXPECT_EQ(s.NextTask(kThree, 0), 1u);  // fallback: replay of {1}
  EXPECT_EQ(s.Describe(), "replay");
}

TEST(StrategyChoicesTest, NextBoolAndNextIntStayInRange) {
  RandomStrategy r(1);
  PctStrategy p(1, 3, 10);
  for (SchedulingStrategy* s : std::initializer_list<SchedulingStrategy*>{&r, &p}) {
    s->Reset(2);
    std::set<uint64_t> ints;
    int trues = 0;
    for (int i = 0; i < 200; ++i) {
      ints.insert(s->NextInt(4));
      trues += s->NextBool();
    }
    EXPECT_EQ(ints, (std::set<uint64_t>{0, 1, 2, 3}));
    EXPECT_GT(trues, 50);
    EXPECT_LT(trues, 150);
  }
}

}  // namespace
}  // namespace hvfuzz::sched
