// SPDX-License-Identifier: Apache-2.0
#include "fuzz/prog/program.h"

#include <gtest/gtest.h>

#include <functional>
#include <set>

#include "fuzz/prog/op_set.h"
#include "fuzz/prog/shape_fields.h"
#include "fuzz/prog/testing/random_program.h"

namespace hvfuzz::prog {
namespace {

using testing::RandomProgram;

TEST(ProgramTest, DefaultProgramIsValidWithOneEmptyThread) {
  const Program p;
  EXPECT_EQ(Validate(p), "");
  EXPECT_EQ(p.threads.size(), 1u);
  EXPECT_EQ(p.num_ops(), 0);
}

TEST(ProgramTest, ValidateNamesTheFirstBrokenRule) {
  const auto ops = model::Operations();
  const auto with_args = std::find_if(ops.begin(), ops.end(), [](auto& s) { return s.nargs > 0; });
  ASSERT_NE(with_args, ops.end());
  const uint16_t op = static_cast<uint16_t>(with_args - ops.begin());
  struct Case {
    std::function<void(Program&)> mutate;
    std::string expected_start;
  };
  const Case cases[] = {
      {[](Program& p) { p.threads.clear(); }, "0 threads"},
      {[](Program& p) { p.threads.resize(kMaxThreads + 1); }, "5 threads"},
      {[](Program& p) { p.threads[0].resize(kMaxOpsPerThread + 1); }, "t0 has 33 ops"},
      {[](Program& p) { p.threads[0].push_back({.op = 0xffff}); }, "t0 op 0: op code 65535"},
      {[&](Program& p) {
         p.threads[0].push_back({.op = op});
         p.threads[0][0].args[0] = ops[op].args[0].max + 1;
       },
       "t0 op 0 (" + std::string(ops[op].name) + "): arg " + std::string(ops[op].args[0].name)},
      {[](Program& p) { p.header.pct_depth = 0; }, "pct depth 0"},
      {[](Program& p) {
         p.header.strategy = Strategy::kRandom;
         p.header.pct_depth = 5;
       },
       "pct depth 5 with a strategy other than pct"},
      {[](Program& p) { p.header.fault.fail_nth = kMaxFailNth + 1; }, "fault nth 256"},
      {[](Program& p) { p.header.shape.vms = 0; }, "shape vms=0"},
      {[](Program& p) { p.schedule.resize(kMaxScheduleBytes + 1); }, "257 schedule bytes"},
  };
  for (const Case& c : cases) {
    Program p;
    c.mutate(p);
    EXPECT_EQ(Validate(p).substr(0, c.expected_start.size()), c.expected_start);
  }
}

TEST(ProgramTest, EqualityComparesEveryField) {
  std::mt19937_64 rng(1);
  const std::function<void(Program&)> changes[] = {
      [](Program& p) { p.threads.emplace_back(); },
      [](Program& p) { p.threads[0].push_back({}); },
      [](Program& p) { p.schedule.push_back(0); },
      [](Program& p) { p.header.seed ^= 1; },
      [](Program& p) { p.header.fault.fail_nth ^= 1; },
      [](Program& p) { p.header.pct_depth ^= 1; },
      [](Program& p) { p.header.strategy = Strategy(1 - int(p.header.strategy)); },
      [](Program& p) { p.header.shape.xen = !p.header.shape.xen; },
      [](Program& p) { p.header.shape.gpcs ^= 1; },
  };
  for (int i = 0; i < 50; ++i) {
    Program p = RandomProgram(rng);
    if (p.threads[0].empty()) p.threads[0].push_back({});
    EXPECT_EQ(p, Program(p));
    for (const auto& change : changes) {
      Program q = p;
      change(q);
      EXPECT_FALSE(p == q) << i;
    }
    Program q = p;
    q.threads[0][0].args[model::kMaxOpArgs - 1] ^= 1;
    EXPECT_FALSE(p == q);
  }
}

TEST(ProgramTest, StrategyNamesRoundTrip) {
  for (int i = 0; i < kNumStrategies; ++i) {
    EXPECT_EQ(StrategyFromName(StrategyName(Strategy(i))), Strategy(i));
  }
  EXPECT_EQ(std::string_view(StrategyName(Strategy::kPct)), "pct");
  EXPECT_EQ(std::string_view(StrategyName(Strategy::kRandom)), "random");
  EXPECT_EQ(StrategyFromName("dfs"), std::nullopt);
}

TEST(ShapeFieldsTest, DefaultsAreInRangeAndNamesUnique) {
  const model::WorldConfig defaults;
  std::set<std::string_view> names;
  for (const ShapeField& f : ShapeFields()) {
    EXPECT_LE(f.min, f.get(defaults)) << f.name;
    EXPECT_LE(f.get(defaults), f.max) << f.name;
    EXPECT_TRUE(names.insert(f.name).second) << f.name;
    EXPECT_EQ(FindShapeField(f.name), static_cast<int>(&f - ShapeFields().data()));
    model::WorldConfig c;
    f.set(c, f.max);
    EXPECT_EQ(f.get(c), f.max) << f.name;
  }
  EXPECT_EQ(FindShapeField("vmz"), std::nullopt);
}

TEST(OpSetTest, AllContainsEveryOperation) {
  const OpSet all = OpSet::All();
  EXPECT_EQ(all.size(), static_cast<int>(model::Operations().size()));
  for (size_t op = 0; op < model::Operations().size(); ++op) EXPECT_TRUE(all.Contains(op));
  EXPECT_FALSE(all.Contains(static_cast<uint16_t>(model::Operations().size())));
  EXPECT_TRUE(OpSet().empty());
}

TEST(OpSetTest, SlicesSelectTheirOperations) {
  const auto ops = model::Operations();
  std::set<std::string_view> slices;
  for (const model::OpSpec& spec : ops) slices.insert(spec.slice);
  for (std::string_view slice : slices) {
    const std::optional<OpSet> set = OpSet::ForSlices(slice);
    ASSERT_TRUE(set.has_value()) << slice;
    for (size_t op = 0; op < ops.size(); ++op) {
      EXPECT_EQ(set->Contains(op), slice == "vm" || ops[op].slice == slice) << slice << op;
    }
    for (int b = 0; b < 256; ++b) {
      const uint16_t op = set->FromByte(static_cast<uint8_t>(b));
      EXPECT_TRUE(set->Contains(op)) << slice << " byte " << b;
      if (b < static_cast<int>(ops.size()) && set->Contains(b)) EXPECT_EQ(op, b);
    }
  }
  EXPECT_EQ(OpSet::ForSlices("vm")->size(), static_cast<int>(ops.size()));
  EXPECT_EQ(OpSet::ForSlices("nosuchslice"), std::nullopt);
  EXPECT_EQ(OpSet::ForSlices("gpc,nosuchslice"), std::nullopt);
  const OpSet two = *OpSet::ForSlices("gpc,memslots");
  EXPECT_EQ(two.size(), OpSet::ForSlices("gpc")->size() + OpSet::ForSlices("memslots")->size());
}

}  // namespace
}  // namespace hvfuzz::prog
