// SPDX-License-Identifier: Apache-2.0
// The seven bug switches of docs/kvm-locking.md D, each with a hand-written multi-task program
// that the engine (controlled scheduler + lock-order validator + model invariants) reports with
// the switch on, with the finding kind and lock classes a kernel developer expects, and that
// runs clean with the switch off over the same schedules. Schedules are searched over fixed
// seeds (and fault-injection points where the bug needs an error path), so every run is
// deterministic.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "fuzz/exec/run_one.h"
#include "fuzz/prog/program.h"
#include "gtest/gtest.h"
#include "model/bug_switches.h"
#include "model/operations.h"
#include "model/world.h"

namespace hvfuzz::model {
namespace {

using Program = std::vector<std::vector<OpCall>>;

OpCall Op(std::string_view name, uint32_t a0 = 0, uint32_t a1 = 0, uint32_t a2 = 0,
          uint32_t a3 = 0) {
  return OpCall{*FindOperation(name), {a0, a1, a2, a3}};
}

// One controlled run of `program` through exec::RunOne, the path fuzzing and replay take
// (STYLE.md G14): the validator's finding, else the scheduler's (deadlock, step budget).
std::optional<check::Finding> RunProgram(const WorldConfig& shape, const BugSwitches& bugs,
                                         const FaultInjection& fault, const Program& program,
                                         uint64_t seed, const char* strategy) {
  prog::Program p;
  p.header.shape = shape;
  p.header.fault = fault;
  p.header.strategy = *prog::StrategyFromName(strategy);
  p.header.seed = seed;
  p.threads = program;
  exec::RunOptions options;
  options.bugs = bugs;
  options.max_steps = 100000;
  options.record_interleaving = false;
  return exec::RunOne(p, options).finding;
}

std::set<std::string> CycleClasses(const check::Finding& f) {
  std::set<std::string> classes;
  for (const check::Dependency& d : f.cycle) {
    classes.insert(d.from.lock_class);
    classes.insert(d.to.lock_class);
  }
  return classes;
}

struct Search {
  WorldConfig shape;
  Program program;
  std::vector<uint32_t> fail_nths = {0};
  int seeds = 200;
  // PCT lowers a task that cond_resched()s (PctStrategy::OnYield), so a refresher spinning in
  // hva_to_pfn_retry cannot starve the invalidation it waits for.
  std::vector<const char*> strategies = {"random", "pct"};
};

// The first finding over (fail_nth, seed, strategy) with switch `s` on; and asserts that the
// same runs with every switch off report nothing.
std::optional<check::Finding> FindWithSwitch(BugSwitch s, const Search& search) {
  BugSwitches on;
  on.Set(s, true);
  std::optional<check::Finding> found;
  for (uint32_t nth : search.fail_nths) {
    for (int seed = 0; seed < search.seeds; ++seed) {
      for (const char* strategy : search.strategies) {
        std::optional<check::Finding> clean =
            RunProgram(search.shape, BugSwitches{}, FaultInjection{nth}, search.program, seed,
                       strategy);
        EXPECT_FALSE(clean.has_value())
            << "switch off, fail_nth=" << nth << " seed=" << seed << " " << strategy << ": "
            << clean->title << "\n" << clean->headline;
        if (!found) {
          found = RunProgram(search.shape, on, FaultInjection{nth}, search.program, seed,
                             strategy);
          if (found) {
            std::printf("  found (fail_nth=%u seed=%d %s): %s %s\n", nth, seed, strategy,
                        found->title.c_str(), found->invariant.c_str());
          }
        }
        if (found && clean) return found;
      }
      if (found && seed >= 8) return found;  // keep checking a few clean runs, then stop
    }
  }
  return found;
}

const WorldConfig kShape{.vms = 2, .vcpus = 2, .memslots = 3, .gpcs = 1, .xen = true};

// D.1: EVTCHNOP_send takes kvm->lock inside vcpu->mutex + kvm->srcu, while KVM_CREATE_IRQCHIP
// (another VM: classes are what lockdep orders) syncs kvm->srcu under kvm->lock -> slots_lock.
TEST(BugSwitchTest, XenEvtchnKvmLockIsALockOrderCycleThroughKvmLockAndSrcu) {
  Search s{kShape,
           {{Op("vm.create", 2), Op("irqchip.create", 2), Op("vcpu.create", 0, 1)},
            {Op("xen.set_shinfo", 0, 5), Op("mmu.invalidate", 0, 5, 1, 1),
             Op("xen.set_evtchn", 0, 1, 0, 1), Op("xen.evtchn_send", 0, 0, 1)}}};
  auto f = FindWithSwitch(BugSwitch::kXenEvtchnKvmLock, s);
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->kind, check::FindingKind::kLockOrderCycle) << f->title;
  auto classes = CycleClasses(*f);
  EXPECT_TRUE(classes.count("&kvm->lock")) << f->title;
  EXPECT_TRUE(classes.count("&kvm->srcu")) << f->title;
}

// D.2: set_nx_huge_pages holds kvm_lock across slots_lock; with a memslot update (slots_lock ->
// synchronize_srcu), an APIC base write in KVM_RUN (kvm->srcu -> cpus_read_lock) and the
// cpufreq notifier (cpus_read_lock -> kvm_lock) the four-lock cycle closes.
TEST(BugSwitchTest, KvmLockSlotsLockIsTheFourLockCycle) {
  Search s{kShape,
           {{Op("nx_huge_pages.set", 1)},
            {Op("memslot.set", 0, 4, 64, 4)},
            {Op("vcpu.run", 0, 0, 2, 0)},
            {Op("cpufreq.change", 0), Op("cpu.hotplug", 1, 0)}}};
  auto f = FindWithSwitch(BugSwitch::kKvmLockSlotsLock, s);
  ASSERT_TRUE(f.has_value());
  EXPECT_TRUE(f->kind == check::FindingKind::kLockOrderCycle ||
              f->kind == check::FindingKind::kDeadlock)
      << f->title;
  if (f->kind == check::FindingKind::kLockOrderCycle) {
    auto classes = CycleClasses(*f);
    for (const char* c : {"kvm_lock", "&kvm->slots_lock", "&kvm->srcu", "cpu_hotplug_lock"}) {
      EXPECT_TRUE(classes.count(c)) << c << " missing from " << f->title;
    }
  }
}

// D.3: an rwsem held from invalidate_range_start to _end orders it both before and after the
// MMU-notifier map: one munmap shows the cycle.
TEST(BugSwitchTest, MnSlotsRwsemIsACycleWithTheNotifierMap) {
  Search s{kShape, {{Op("mmu.invalidate", 0, 0, 4, 0)}, {Op("memslot.set", 0, 4, 64, 4)}}};
  auto f = FindWithSwitch(BugSwitch::kMnSlotsRwsem, s);
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->kind, check::FindingKind::kLockOrderCycle) << f->title;
  auto classes = CycleClasses(*f);
  EXPECT_TRUE(classes.count("mmu_notifier_invalidate_range_start")) << f->title;
  EXPECT_TRUE(classes.count("&kvm->mmu_notifier_slots_lock")) << f->title;
}

// D.4a: two refreshers of one cache interleave while hva_to_pfn_retry has dropped gpc->lock.
TEST(BugSwitchTest, GpcRefreshRaceIsACacheInvariantViolation) {
#if defined(HVFUZZ_TSAN)
  // With refresh_lock gone, the fields refresh_lock serialized race for real, and TSan reports
  // that race (exit 66): the switch reintroduces it. The invariant is checked in the dev build.
  GTEST_SKIP() << "TSan reports the data race this switch reintroduces";
#endif

  Search s{kShape,
           {{Op("gpc.activate", 0, 0, 3), Op("mmu.invalidate", 0, 3, 1, 1), Op("gpc.refresh", 0, 0),
             Op("gpc.use", 0, 0)},
            {Op("gpc.refresh", 0, 0), Op("gpc.refresh", 0, 0), Op("gpc.use", 0, 0)},
            {Op("mmu.invalidate", 0, 3, 1, 1), Op("gpc.refresh", 0, 0), Op("gpc.use", 0, 0)}}};
  auto f = FindWithSwitch(BugSwitch::kGpcRefreshRace, s);
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->kind, check::FindingKind::kInvariantViolation) << f->title;
  EXPECT_TRUE(f->invariant == "gpc-valid-during-refresh" || f->invariant == "khva-double-unmap" ||
              f->invariant == "gpc-valid-wrong-pfn" || f->invariant == "gpc-valid-khva-unmapped")
      << f->invariant;
}

// D.4b: deactivate without refresh_lock unmaps the khva a concurrent refresh is about to
// reinstall; the cache ends up inactive but valid, which the next activate's KVM_BUG_ON (or a
// consumer) catches.
TEST(BugSwitchTest, GpcDeactivateRaceIsACacheInvariantViolation) {
#if defined(HVFUZZ_TSAN)
  // With refresh_lock gone, the fields refresh_lock serialized race for real, and TSan reports
  // that race (exit 66): the switch reintroduces it. The invariant is checked in the dev build.
  GTEST_SKIP() << "TSan reports the data race this switch reintroduces";
#endif

  Search s{kShape,
           {{Op("gpc.activate", 0, 0, 3), Op("mmu.invalidate", 0, 3, 1, 2), Op("gpc.refresh", 0, 0),
             Op("gpc.use", 0, 0)},
            {Op("gpc.deactivate", 0, 0), Op("gpc.activate", 0, 0, 3), Op("gpc.use", 0, 0)}}};
  s.seeds = 400;
  auto f = FindWithSwitch(BugSwitch::kGpcDeactivateRace, s);
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->kind, check::FindingKind::kInvariantViolation) << f->title;
  EXPECT_TRUE(f->invariant == "gpc-valid-while-inactive" ||
              f->invariant == "gpc-valid-khva-unmapped" || f->invariant == "khva-double-unmap")
      << f->invariant;
}

// A report's interleaving is "the interleaving that led here": it ends where the finding was
// made, although the finding's task runs on to its next scheduling point. (It once went on: a
// finding made while t0 held gpc->lock showed t0's write_unlock of it below the finding.) So
// no task's last step on a lock it holds at the finding may be a release of that lock.
TEST(BugSwitchTest, ReportedInterleavingEndsAtTheFinding) {
#if defined(HVFUZZ_TSAN)
  GTEST_SKIP() << "TSan reports the data race this switch reintroduces";
#endif
  auto is_release = [](const std::string& action) {
    return action.find("unlock") != std::string::npos ||
           action.find("release") != std::string::npos || action.find("up_") != std::string::npos;
  };
  prog::Program p;
  p.header.shape = kShape;
  p.threads = {{Op("gpc.activate", 0, 0, 3)}, {Op("gpc.deactivate", 0, 0)}};
  exec::RunOptions options;
  options.bugs.Set(BugSwitch::kGpcDeactivateRace, true);
  int findings = 0;
  int held_checked = 0;
  for (uint64_t seed = 0; seed < 300; ++seed) {
    p.header.seed = seed;
    p.header.strategy = *prog::StrategyFromName(seed % 2 ? "pct" : "random");
    exec::RunResult r = exec::RunOne(p, options);
    if (!r.finding.has_value()) continue;
    ++findings;
    const check::Finding& f = *r.finding;
    ASSERT_FALSE(f.interleaving.empty()) << f.title;
    for (const check::TaskSnapshot& t : f.tasks) {
      for (const check::LockRef& h : t.held) {
        auto last = std::find_if(f.interleaving.rbegin(), f.interleaving.rend(),
                                 [&](const check::InterleavingStep& s) {
                                   return s.task == t.task &&
                                          s.action.find("(" + h.lock_class + ")") !=
                                              std::string::npos;
                                 });
        if (last == f.interleaving.rend()) continue;
        ++held_checked;
        EXPECT_FALSE(is_release(last->action))
            << "seed " << seed << ": t" << t.task << " holds " << h.lock_class
            << " at the finding, but its last step is " << last->action << " at " << last->site;
      }
    }
  }
  EXPECT_GT(findings, 0);
  EXPECT_GT(held_checked, 0);
}

// D.5a: a CREATE whose arch prepare fails returns with slots_arch_lock held.
TEST(BugSwitchTest, SlotsArchLockLeakIsLockHeldAtReturn) {
  Search s{kShape, {{Op("memslot.set", 0, 4, 64, 4)}, {Op("vcpu.run", 0, 0, 1, 3)}}};
  s.fail_nths = {1, 2, 3, 4, 5, 6};
  s.seeds = 20;
  auto f = FindWithSwitch(BugSwitch::kSlotsArchLockLeak, s);
  ASSERT_TRUE(f.has_value());
  EXPECT_TRUE(f->kind == check::FindingKind::kLockHeldAtReturn ||
              f->kind == check::FindingKind::kDeadlock)
      << f->title;
  EXPECT_NE((f->headline + f->title).find("slots_arch_lock"), std::string::npos) << f->headline;
}

// D.5b: a MOVE whose prepare fails re-activates the old slot; with the reversed arch copy, the
// rmaps a nested vCPU allocated while slots_arch_lock was dropped are lost. The swap that
// re-activates the old slot sees an active slot without rmaps after the first shadow root
// (before the vCPU's next shadow fault in that slot would find none).
TEST(BugSwitchTest, MemslotArchCopyOrderLosesRmaps) {
  Search s{kShape,
           {{Op("memslot.set", 0, 1, 40, 8)},
            {Op("vcpu.run", 0, 0, 1, 3), Op("vcpu.run", 0, 0, 1, 17), Op("vcpu.run", 0, 0, 1, 17),
             Op("vcpu.run", 0, 0, 1, 17)}}};
  s.fail_nths = {1, 2, 3, 4, 5, 6, 7, 8};
  s.seeds = 100;
  auto f = FindWithSwitch(BugSwitch::kMemslotArchCopyOrder, s);
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->kind, check::FindingKind::kInvariantViolation) << f->title;
  EXPECT_EQ(f->invariant, "memslot-arch-lost");
}

// D.5b without an error path: a DELETE whose INVALID copy lost the vCPU's rmaps is as wrong
// while it is the active slot (no vCPU fault uses it: lookups retry on INVALID slots), and the
// DELETE's own final swap sees it. Clean with the switch off over the same schedules.
TEST(BugSwitchTest, MemslotArchCopyOrderOnDeleteIsSeenAtTheNextSwap) {
  Search s{kShape, {{Op("memslot.set", 0, 1, 0, 0)}, {Op("vcpu.run", 0, 0, 1, 3)}}};
  s.seeds = 100;
  auto f = FindWithSwitch(BugSwitch::kMemslotArchCopyOrder, s);
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->kind, check::FindingKind::kInvariantViolation) << f->title;
  EXPECT_EQ(f->invariant, "memslot-arch-lost");
  EXPECT_NE(f->title.find("kvm_swap_active_memslots"), std::string::npos) << f->title;
}

}  // namespace
}  // namespace hvfuzz::model
