// SPDX-License-Identifier: Apache-2.0
// Engine scenarios under the controlled scheduler (issue 3, item 6). Each test would fail if
// the detector or primitive semantics it names broke: the potential-deadlock validator, the
// actual-deadlock detection, SRCU grace periods, writer preference of rwsem and percpu-rwsem,
// recursive rwlock readers, sleeping in atomic context and leaks at return.
#include <algorithm>

#include "gtest/gtest.h"
#include "model/sync/kernel_context.h"
#include "model/sync/mutex.h"
#include "model/sync/percpu_rw_semaphore.h"
#include "model/sync/rw_semaphore.h"
#include "model/sync/rwlock.h"
#include "model/sync/spinlock.h"
#include "model/sync/srcu.h"
#include "model/sync/wait_event.h"
#include "tests/engine/scenario.h"

namespace hvfuzz::engine_test {
namespace {

using check::FindingKind;
using sched::RunStatus;
using sync::Completion;
using sync::Mutex;

// Zero schedule bytes always pick the lowest runnable task: t0 runs to its end, then t1.
sched::ScheduleOptions Sequential() {
  sched::ScheduleOptions o;
  o.schedule_bytes.assign(4096, 0);
  return o;
}

TEST(AbbaScenarioTest, SequentialHalvesAreAPotentialDeadlock) {
  Mutex a(kClassA), b(kClassB);
  auto r = RunControlled({[&] { a.Lock(); b.Lock(); b.Unlock(); a.Unlock(); },
                          [&] { b.Lock(); a.Lock(); a.Unlock(); b.Unlock(); }},
                         /*validate=*/true, Sequential());
  ASSERT_TRUE(r.validator_finding.has_value());
  EXPECT_EQ(r.validator_finding->kind, FindingKind::kLockOrderCycle);
  auto classes = CycleClasses(*r.validator_finding);
  std::sort(classes.begin(), classes.end());
  EXPECT_EQ(classes, (std::vector<std::string>{"A", "B"}));
  // Nothing actually deadlocked: the halves never overlapped.
  EXPECT_NE(r.outcome.status, RunStatus::kDeadlock);
}

TEST(AbbaScenarioTest, SameOrderIsClean) {
  Mutex a(kClassA), b(kClassB);
  auto r = RunControlled({[&] { a.Lock(); b.Lock(); b.Unlock(); a.Unlock(); },
                          [&] { a.Lock(); b.Lock(); b.Unlock(); a.Unlock(); }},
                         true);
  EXPECT_FALSE(r.validator_finding.has_value());
  EXPECT_EQ(r.outcome.status, RunStatus::kCompleted);
}

TEST(AbbaScenarioTest, InterleavedHalvesAreAnActualDeadlockWithTheWaitForCycle) {
  for (uint64_t seed = 0; seed < 20; ++seed) {
    Mutex a(kClassA), b(kClassB);
    Completion c0(kClassEvent), c1(kClassEvent);
    sched::ScheduleOptions o;
    o.seed = seed;
    auto r = RunControlled(InterleavedAbba(a, b, c0, c1), /*validate=*/false, o);
    ASSERT_EQ(r.outcome.status, RunStatus::kDeadlock) << "seed " << seed;
    ASSERT_TRUE(r.outcome.finding.has_value());
    EXPECT_EQ(r.outcome.finding->kind, FindingKind::kDeadlock);
    EXPECT_EQ(r.outcome.finding->cycle.size(), 2u);
  }
}

TEST(AbbaScenarioTest, ValidatorReportsTheCycleBeforeTheTasksBlock) {
  Mutex a(kClassA), b(kClassB);
  Completion c0(kClassEvent), c1(kClassEvent);
  auto r = RunControlled(InterleavedAbba(a, b, c0, c1), /*validate=*/true);
  ASSERT_TRUE(r.validator_finding.has_value());
  EXPECT_EQ(r.validator_finding->kind, FindingKind::kLockOrderCycle);
  EXPECT_EQ(r.outcome.status, RunStatus::kStopped);
}

TEST(SrcuScenarioTest, SynchronizeUnderLockVersusLockInsideReadSectionIsReported) {
  Mutex l(kClassL);
  sync::Srcu s(kClassSrcu);
  auto r = RunControlled({[&] { l.Lock(); s.Synchronize(); l.Unlock(); },
                          [&] { int idx = s.ReadLock(); l.Lock(); l.Unlock(); s.ReadUnlock(idx); }},
                         true, Sequential());
  ASSERT_TRUE(r.validator_finding.has_value());
  EXPECT_EQ(r.validator_finding->kind, FindingKind::kLockOrderCycle);
  auto classes = CycleClasses(*r.validator_finding);
  std::sort(classes.begin(), classes.end());
  EXPECT_EQ(classes, (std::vector<std::string>{"L", "S"}));
}

TEST(SrcuScenarioTest, GracePeriodWaitsForOlderReaderHoldingWhatTheUpdaterHolds) {
  Mutex l(kClassL);
  sync::Srcu s(kClassSrcu);
  Completion reading(kClassEvent), locked(kClassEvent);
  auto r = RunControlled(SynchronizeUnderLockVersusReader(l, s, reading, locked), false);
  ASSERT_EQ(r.outcome.status, RunStatus::kDeadlock);
  EXPECT_EQ(r.outcome.finding->cycle.size(), 2u);
}

TEST(SrcuScenarioTest, ReadersInOppositeOrderAreNotReported) {
  sync::Srcu s(kClassSrcu);
  static const sync::LockClass kOther{"S2", sync::LockKind::kSrcu};
  sync::Srcu s2(kOther);
  auto r = RunControlled(
      {[&] { int i = s.ReadLock(); int j = s2.ReadLock(); s2.ReadUnlock(j); s.ReadUnlock(i); },
       [&] { int j = s2.ReadLock(); int i = s.ReadLock(); s.ReadUnlock(i); s2.ReadUnlock(j); }},
      true, Sequential());
  EXPECT_FALSE(r.validator_finding.has_value());
  EXPECT_EQ(r.outcome.status, RunStatus::kCompleted);
}

// t0 reads and waits for t2; t1 queues as a writer; t2 then asks to read. With writer
// preference t2 must queue behind t1, so the three wait in a circle. A semaphore that let
// t2 in past the waiting writer would complete every run.
template <class Lock, class ReadLockFn, class ReadUnlockFn, class WriteLockFn, class WriteUnlockFn>
int CountWriterPreferenceDeadlocks(const sync::LockClass& cls, ReadLockFn rd, ReadUnlockFn ru,
                                   WriteLockFn wr, WriteUnlockFn wu) {
  int deadlocks = 0;
  for (uint64_t seed = 0; seed < 200; ++seed) {
    Lock lock(cls);
    Completion done(kClassEvent);
    sched::ScheduleOptions o;
    o.seed = seed;
    auto r = RunControlled({[&] { rd(lock); done.WaitForCompletion(); ru(lock); },
                            [&] { wr(lock); wu(lock); },
                            [&] { rd(lock); done.Complete(); ru(lock); }},
                           /*validate=*/true, o);
    EXPECT_FALSE(r.validator_finding.has_value()) << "seed " << seed;
    if (r.outcome.status == RunStatus::kDeadlock) ++deadlocks;
  }
  return deadlocks;
}

TEST(RwSemaphoreScenarioTest, ReaderQueuesBehindWaitingWriter) {
  int n = CountWriterPreferenceDeadlocks<sync::RwSemaphore>(
      kClassRwSem, [](auto& l) { l.DownRead(); }, [](auto& l) { l.UpRead(); },
      [](auto& l) { l.DownWrite(); }, [](auto& l) { l.UpWrite(); });
  EXPECT_GT(n, 0);
}

TEST(PercpuRwSemaphoreScenarioTest, NewReaderBlocksWhileHotplugWriterIsPending) {
  int n = CountWriterPreferenceDeadlocks<sync::PercpuRwSemaphore>(
      kClassHotplug, [](auto& l) { l.DownRead(); }, [](auto& l) { l.UpRead(); },
      [](auto& l) { l.DownWrite(); }, [](auto& l) { l.UpWrite(); });
  EXPECT_GT(n, 0);
}

TEST(PercpuRwSemaphoreScenarioTest, ReaderVersusMutexInOppositeOrderIsReported) {
  sync::PercpuRwSemaphore hotplug(kClassHotplug);
  Mutex l(kClassL);
  auto r = RunControlled({[&] { hotplug.DownRead(); l.Lock(); l.Unlock(); hotplug.UpRead(); },
                          [&] { l.Lock(); hotplug.DownRead(); hotplug.UpRead(); l.Unlock(); }},
                         true, Sequential());
  ASSERT_TRUE(r.validator_finding.has_value());
  EXPECT_EQ(r.validator_finding->kind, FindingKind::kLockOrderCycle);
}

TEST(RwLockScenarioTest, InterruptContextReadersInOppositeOrderAreNotReported) {
  sync::RwLock a(kClassRwA), b(kClassRwB);
  auto irq = [](auto fn) {
    return [fn] {
      sync::CurrentTask().set_in_interrupt(true);
      fn();
      sync::CurrentTask().set_in_interrupt(false);
    };
  };
  auto r = RunControlled({irq([&] { a.ReadLock(); b.ReadLock(); b.ReadUnlock(); a.ReadUnlock(); }),
                          irq([&] { b.ReadLock(); a.ReadLock(); a.ReadUnlock(); b.ReadUnlock(); })},
                         true, Sequential());
  EXPECT_FALSE(r.validator_finding.has_value());
  EXPECT_EQ(r.outcome.status, RunStatus::kCompleted);
}

TEST(RwLockScenarioTest, ProcessContextReadersInOppositeOrderAreReported) {
  // Queued rwlock readers wait behind a waiting writer: with writers on both locks this
  // deadlocks, so lockdep treats process-context readers as non-recursive.
  sync::RwLock a(kClassRwA), b(kClassRwB);
  auto r = RunControlled({[&] { a.ReadLock(); b.ReadLock(); b.ReadUnlock(); a.ReadUnlock(); },
                          [&] { b.ReadLock(); a.ReadLock(); a.ReadUnlock(); b.ReadUnlock(); }},
                         true, Sequential());
  ASSERT_TRUE(r.validator_finding.has_value());
  EXPECT_EQ(r.validator_finding->kind, FindingKind::kLockOrderCycle);
}

TEST(AtomicScenarioTest, SpinlockHeldAcrossMightSleepIsReported) {
  sync::SpinLock s(kClassSpin);
  auto r = RunControlled({[&] { s.Lock(); sync::MightSleep(); s.Unlock(); }}, true);
  ASSERT_TRUE(r.validator_finding.has_value());
  EXPECT_EQ(r.validator_finding->kind, FindingKind::kSleepInAtomic);
}

TEST(AtomicScenarioTest, MutexInsideSpinlockIsReported) {
  sync::SpinLock s(kClassSpin);
  Mutex l(kClassL);
  auto r = RunControlled({[&] { s.Lock(); l.Lock(); l.Unlock(); s.Unlock(); }}, true);
  ASSERT_TRUE(r.validator_finding.has_value());
  EXPECT_EQ(r.validator_finding->kind, FindingKind::kSleepInAtomic);
}

TEST(LeakScenarioTest, LockHeldWhenTheOperationReturnsIsReported) {
  Mutex l(kClassL);
  auto r = RunControlled({[&] { l.Lock(); sync::ReturnToUser("leaky_ioctl"); }}, true);
  ASSERT_TRUE(r.validator_finding.has_value());
  EXPECT_EQ(r.validator_finding->kind, FindingKind::kLockHeldAtReturn);
}

TEST(LeakScenarioTest, LeakedLockHangsTheNextTaskThatWantsIt) {
  Mutex l(kClassL);
  auto r = RunControlled({[&] { l.Lock(); }, [&] { l.Lock(); l.Unlock(); }}, false, Sequential());
  EXPECT_EQ(r.outcome.status, RunStatus::kDeadlock);
}

}  // namespace
}  // namespace hvfuzz::engine_test
