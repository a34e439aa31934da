// SPDX-License-Identifier: Apache-2.0
// A task spinning with cond_resched() until another task makes progress (the shape of
// hva_to_pfn_retry waiting for an invalidation to end) must not be reported as a livelock
// under PCT: the yielding task has to drop below the task it waits for.
#include <atomic>

#include "fuzz/sched/controlled_scheduler.h"
#include "gtest/gtest.h"
#include "model/sync/mutex.h"
#include "model/sync/wait_event.h"

namespace hvfuzz::sched {
namespace {

const sync::LockClass kLock{"spin_test_lock", sync::LockKind::kMutex};

// A spinner (spawned first, so first in the runnable set) polls `done` under a mutex and
// yields; a worker yields `worker_yields` times, then sets `done`; with `bystander`, a third
// task takes the mutex a few times. Returns how the run ended.
RunOutcome RunSpinnerAndWorker(const ScheduleOptions& o, int worker_yields, bool bystander) {
  ControlledScheduler s(o);
  sync::Mutex m(kLock);
  bool done = false;  // guarded by m
  s.Spawn("spinner", [&] {
    for (;;) {
      m.Lock();
      bool d = done;
      m.Unlock();
      if (d) break;
      sync::CondResched();
    }
  });
  s.Spawn("worker", [&] {
    for (int i = 0; i < worker_yields; ++i) {
      m.Lock();
      m.Unlock();
      sync::CondResched();  // the worker yields too, so it gets lowered as well
    }
    m.Lock();
    done = true;
    m.Unlock();
  });
  if (bystander) {
    s.Spawn("bystander", [&] {
      for (int i = 0; i < 6; ++i) {
        m.Lock();
        m.Unlock();
      }
    });
  }
  sync::SyncObserver none;
  return s.Run(none);
}

TEST(PctYieldTest, SpinnerWaitingForAnotherTaskCompletesForEverySeed) {
  for (uint64_t seed = 0; seed < 100; ++seed) {
    ScheduleOptions o;
    o.strategy = "pct";
    o.pct_depth = 1;  // no change points: only the yield rule can let the worker run
    o.seed = seed;
    o.max_steps = 5000;
    RunOutcome r = RunSpinnerAndWorker(o, /*worker_yields=*/0, /*bystander=*/false);
    EXPECT_EQ(r.status, RunStatus::kCompleted) << "seed " << seed;
  }
}

// Change points and yields both lower priorities; neither may tie with the other, or the
// spinner, first in the runnable set, keeps winning the tie against the task it waits for
// (found by the vm fuzzer: hva_to_pfn_retry against a mmu.invalidate under pct depth=3).
TEST(PctYieldTest, YieldsAndChangePointsNeverTieASpinnerWithItsWorker) {
  for (int depth : {2, 3, 5, 8}) {
    for (uint64_t seed = 0; seed < 300; ++seed) {
      ScheduleOptions o;
      o.strategy = "pct";
      o.pct_depth = depth;
      o.pct_steps = 40;
      o.seed = seed;
      o.max_steps = 5000;
      RunOutcome r = RunSpinnerAndWorker(o, /*worker_yields=*/4, /*bystander=*/true);
      ASSERT_EQ(r.status, RunStatus::kCompleted) << "depth " << depth << " seed " << seed;
    }
  }
}

}  // namespace
}  // namespace hvfuzz::sched
