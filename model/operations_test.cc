// SPDX-License-Identifier: Apache-2.0
// The operation table (names unique and stable, arguments well-formed) and every operation on
// one task over a small grid of arguments and shapes: the clean model reports nothing.
#include <array>
#include <cerrno>
#include <set>
#include <string>

#include "gtest/gtest.h"
#include "model/bug_switches.h"
#include "model/kvm.h"
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
    for (int i = 0; i < op.nargs; ++i) {
      EXPECT_FALSE(op.args[i].name.empty()) << op.name;
      // The text form spells the per-call fault point `fail=n` among the arguments.
      EXPECT_NE(op.args[i].name, "fail") << op.name;
    }
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
OpCall Call(std::string_view name, std::array<uint32_t, kMaxOpArgs> args, uint8_t fail_nth) {
  return OpCall{*FindOperation(name), args, fail_nth};
}

// A memslot MOVE takes three fallible steps on the calling task, in this order: the new
// slot's kzalloc, the INVALID copy's kzalloc, kvm_arch_prepare_memory_region.
TEST(OperationsTest, PerCallFaultFailsTheNthStepInsideThatCallOnly) {
  for (uint8_t nth = 1; nth <= 3; ++nth) {
    SingleTaskWorld t(WorldConfig{.vms = 1, .vcpus = 1, .memslots = 2});
    // Fallible steps of earlier calls do not move the per-call count.
    ASSERT_EQ(Execute(t.world(), Call("memslot.set", {0, 3, 32, 4}, 0)), 0);  // CREATE
    EXPECT_EQ(Execute(t.world(), Call("memslot.set", {0, 1, 40, kMaxSlotPages}, nth)), -ENOMEM)
        << "nth=" << int{nth};
    EXPECT_EQ(t.world().vm(0).active_memslots.load()->slots[1]->base_gfn, 16u) << int{nth};
    // Armed for one call: the same MOVE without it succeeds.
    EXPECT_EQ(Execute(t.world(), Call("memslot.set", {0, 1, 40, kMaxSlotPages}, 0)), 0);
    EXPECT_TRUE(t.observer().problems.empty()) << t.observer().ProblemsText();
  }
}

TEST(OperationsTest, PerCallFaultBeyondTheCallsStepsIsNotCarriedOver) {
  SingleTaskWorld t(WorldConfig{.vms = 1, .vcpus = 1, .memslots = 2});
  // Three steps, fail_nth 4: nothing fails, and the countdown left over is dropped.
  EXPECT_EQ(Execute(t.world(), Call("memslot.set", {0, 1, 40, kMaxSlotPages}, 4)), 0);
  EXPECT_EQ(Execute(t.world(), Call("memslot.set", {0, 3, 32, 4}, 0)), 0);
  EXPECT_EQ(Execute(t.world(), Call("memslot.set", {0, 1, 48, kMaxSlotPages}, 0)), 0);
  EXPECT_TRUE(t.observer().problems.empty()) << t.observer().ProblemsText();
}

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
