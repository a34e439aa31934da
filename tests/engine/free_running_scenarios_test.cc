// SPDX-License-Identifier: Apache-2.0
// The engine scenarios again, on real threads (free-running backend): what the controlled
// scheduler proves by construction, the watchdog must see on real threads, within a bounded
// wall time. Completions force the interleavings, so no test depends on the OS scheduler.
#include <chrono>

#include "fuzz/check/lock_order_validator.h"
#include "fuzz/sched/free_running_runtime.h"
#include "fuzz/sched/locked_observer.h"
#include "gtest/gtest.h"
#include "model/sync/kernel_context.h"
#include "model/sync/mutex.h"
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

struct FreeResult {
  sched::RunOutcome outcome;
  std::optional<check::Finding> validator_finding;
  std::chrono::milliseconds wall;
};

FreeResult RunFree(const std::vector<Body>& bodies, bool validate) {
  sched::FreeRunningOptions options;
  options.watchdog_timeout = std::chrono::milliseconds(300);
  sched::FreeRunningRuntime runtime(options);
  for (size_t i = 0; i < bodies.size(); ++i) runtime.Spawn("t" + std::to_string(i), bodies[i]);
  check::LockOrderValidator validator;
  sched::LockedObserver locked(validator);
  sync::SyncObserver null_observer;
  auto start = std::chrono::steady_clock::now();
  FreeResult r;
  r.outcome = validate ? runtime.Run(locked) : runtime.Run(null_observer);
  r.wall = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                 start);
  r.validator_finding = validator.finding();
  return r;
}

TEST(FreeRunningScenarioTest, SequentialAbbaIsAPotentialDeadlock) {
  Mutex a(kClassA), b(kClassB);
  Completion first_done(kClassEvent);
  auto r = RunFree({[&] { a.Lock(); b.Lock(); b.Unlock(); a.Unlock(); first_done.Complete(); },
                    [&] { first_done.WaitForCompletion(); b.Lock(); a.Lock(); a.Unlock(); b.Unlock(); }},
                   true);
  ASSERT_TRUE(r.validator_finding.has_value());
  EXPECT_EQ(r.validator_finding->kind, FindingKind::kLockOrderCycle);
  EXPECT_EQ(r.outcome.status, RunStatus::kCompleted);
}

TEST(FreeRunningScenarioTest, InterleavedAbbaIsCaughtByTheWatchdogInBoundedTime) {
  Mutex a(kClassA), b(kClassB);
  Completion c0(kClassEvent), c1(kClassEvent);
  auto r = RunFree(InterleavedAbba(a, b, c0, c1), false);
  ASSERT_EQ(r.outcome.status, RunStatus::kDeadlock);
  ASSERT_TRUE(r.outcome.finding.has_value());
  EXPECT_EQ(r.outcome.finding->kind, FindingKind::kWatchdogHang);
  EXPECT_EQ(r.outcome.finding->cycle.size(), 2u);
  EXPECT_LT(r.wall, std::chrono::seconds(20));
}

TEST(FreeRunningScenarioTest, SynchronizeSrcuUnderLockVersusReaderTakingIt) {
  Mutex l(kClassL);
  sync::Srcu s(kClassSrcu);
  Completion reading(kClassEvent), locked(kClassEvent);
  auto r = RunFree(SynchronizeUnderLockVersusReader(l, s, reading, locked), false);
  ASSERT_EQ(r.outcome.status, RunStatus::kDeadlock);
  EXPECT_EQ(r.outcome.finding->kind, FindingKind::kWatchdogHang);
}

TEST(FreeRunningScenarioTest, SpinlockAcrossMightSleepIsReported) {
  sync::SpinLock s(kClassSpin);
  auto r = RunFree({[&] { s.Lock(); sync::MightSleep(); s.Unlock(); }}, true);
  ASSERT_TRUE(r.validator_finding.has_value());
  EXPECT_EQ(r.validator_finding->kind, FindingKind::kSleepInAtomic);
}

TEST(FreeRunningScenarioTest, LeakAtReturnIsReported) {
  Mutex l(kClassL);
  auto r = RunFree({[&] { l.Lock(); sync::ReturnToUser("leaky_ioctl"); l.Unlock(); }}, true);
  ASSERT_TRUE(r.validator_finding.has_value());
  EXPECT_EQ(r.validator_finding->kind, FindingKind::kLockHeldAtReturn);
}

TEST(FreeRunningScenarioTest, ContendedButCorrectRunsCompleteWithoutFindings) {
  Mutex a(kClassA), b(kClassB);
  int counter = 0;
  auto body = [&] {
    for (int i = 0; i < 200; ++i) {
      a.Lock();
      b.Lock();
      ++counter;
      b.Unlock();
      a.Unlock();
    }
  };
  auto r = RunFree({body, body, body}, true);
  EXPECT_EQ(r.outcome.status, RunStatus::kCompleted);
  EXPECT_FALSE(r.validator_finding.has_value());
  EXPECT_EQ(counter, 600);
}

}  // namespace
}  // namespace hvfuzz::engine_test
