// SPDX-License-Identifier: Apache-2.0
// The operation table (names unique and stable, arguments well-formed) and every operation on
// one task over a small grid of arguments and shapes: the clean model reports nothing.
#include <cerrno>
#include <set>
#include <string>

#include "gtest/gtest.h"
#include "model/bug_switches.h"
#include "model/operations.h"
#include "model/testing/single_task_world.h"

namespace hvfuzz::model {
namespace {

using testing::SingleTaskWorld;

TEST(OperationsTest, TableIsWellFormed) {
  std::set<std::string_view> names;
  for (const OpSpec& op : Operations()) {
    EXPECT_TRUE(names.insert(op.name).second) << op.name;
    EXPECT_FALSE(op.upstream.empty()) << op.name;
    EXPECT_LE(op.nargs, kMaxOpArgs) << op.name;
    EXPECT_TRUE(op.slice == "memslots" || op.slice == "mmu" || op.slice == "gpc" ||
                op.slice == "xen" || op.slice == "global" || op.slice == "vm")
        << op.name;
    EXPECT_FALSE(op.locks.empty()) << op.name;
    for (int i = 0; i < op.nargs; ++i) EXPECT_FALSE(op.args[i].name.empty()) << op.name;
    EXPECT_EQ(FindOperation(op.name), static_cast<uint16_t>(&op - Operations().data()));
  }
  for (std::string_view n : {"memslot.set", "vcpu.run", "mmu.invalidate", "gpc.refresh",
                             "xen.evtchn_send", "cpu.hotplug", "cpufreq.change", "sev.migrate",
                             "nx_huge_pages.set"}) {
    EXPECT_TRUE(FindOperation(n).has_value()) << n;
  }
  EXPECT_FALSE(FindOperation("no.such").has_value());
}

TEST(OperationsTest, BugSwitchTableNamesRoundTrip) {
  ASSERT_EQ(BugSwitchTable().size(), static_cast<size_t>(kNumBugSwitches));
  for (const BugSwitchInfo& info : BugSwitchTable()) {
    EXPECT_EQ(BugSwitches::FromName(info.name), info.id);
    BugSwitches b;
    EXPECT_TRUE(b.Set(info.name, true));
    EXPECT_TRUE(b.Get(info.id));
    EXPECT_TRUE(b.any());
  }
  BugSwitches b;
  EXPECT_FALSE(b.Set("no-such-bug", true));
  EXPECT_FALSE(b.any());
}

TEST(OperationsTest, OutOfRangeOpCodeIsEinval) {
  SingleTaskWorld t;
  EXPECT_EQ(Execute(t.world(), OpCall{static_cast<uint16_t>(Operations().size()), {}}), -EINVAL);
}

// Every op, each argument at 0, 1 and its max, on a two-VM world: nothing to report.
TEST(OperationsTest, EveryOperationRunsCleanOnOneTask) {
  for (const OpSpec& op : Operations()) {
    for (uint32_t pick = 0; pick < 3; ++pick) {
      SingleTaskWorld t(WorldConfig{.vms = 2, .vcpus = 2, .memslots = 3, .gpcs = 2, .xen = true});
      OpCall call{*FindOperation(op.name), {}};
      for (int i = 0; i < op.nargs; ++i) call.args[i] = pick == 2 ? op.args[i].max : pick;
      Execute(t.world(), call);
      Execute(t.world(), call);
      EXPECT_TRUE(t.observer().problems.empty())
          << op.name << " pick " << pick << "\n" << t.observer().ProblemsText();
    }
  }
}

// Every op after every other op, with each early fallible step failing: error paths release
// everything and leave no broken invariant.
TEST(OperationsTest, PairsUnderFaultInjectionRunClean) {
  auto ops = Operations();
  for (size_t i = 0; i < ops.size(); ++i) {
    for (size_t j = 0; j < ops.size(); ++j) {
      for (uint32_t nth : {0u, 1u, 2u, 3u}) {
        SingleTaskWorld t(WorldConfig{.vms = 2, .vcpus = 2, .memslots = 2, .gpcs = 1}, {},
                          FaultInjection{nth});
        OpCall a{static_cast<uint16_t>(i), {1, 1, 3, 1}};
        OpCall b{static_cast<uint16_t>(j), {1, 0, 1, 1}};
        Execute(t.world(), a);
        Execute(t.world(), b);
        Execute(t.world(), a);
        ASSERT_TRUE(t.observer().problems.empty())
            << ops[i].name << " then " << ops[j].name << " fail_nth=" << nth << "\n"
            << t.observer().ProblemsText();
      }
    }
  }
}

}  // namespace
}  // namespace hvfuzz::model
