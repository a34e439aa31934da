// SPDX-License-Identifier: Apache-2.0
// Ending a controlled run early: RequestStop from an observer, and deadlocked tasks, are
// unwound through their RAII guards with nothing leaked (LSan checks the heap strings) and no
// fiber left alive (every stack back in the pool).
#include <algorithm>
#include <atomic>
#include <memory>
#include <string>

#include "fuzz/sched/controlled_scheduler.h"
#include "fuzz/sched/internal/fiber_stack.h"
#include "gtest/gtest.h"
#include "model/sync/mutex.h"
#include "model/sync/wait_event.h"

namespace hvfuzz::sched {
namespace {

using sync::LockClass;
using sync::LockKind;

const LockClass kM{"sched_unwind_m", LockKind::kMutex};
const LockClass kEv{"sched_unwind_event", LockKind::kLockdepMap};

// Stops the run the first time a task acquires the watched lock class.
class StopOnAcquire : public sync::SyncObserver {
 public:
  StopOnAcquire(ControlledScheduler& s, const LockClass& cls) : sched_(s), cls_(cls) {}
  void OnAcquired(sync::Task&, const sync::HeldLock& h) override {
    if (&h.lock_class() == &cls_ && !stopped_) {
      stopped_ = true;
      sched_.RequestStop();
    }
  }

 private:
  ControlledScheduler& sched_;
  const LockClass& cls_;
  bool stopped_ = false;
};

// Counts live instances: every task's frame holds one, so a task that is not unwound leaks
// (and LSan reports its heap string). Relaxed atomic: tasks touch it outside any model lock.
struct Tracked {
  static inline std::atomic<int> live{0};
  std::unique_ptr<std::string> heap = std::make_unique<std::string>(100, 'x');
  Tracked() { live.fetch_add(1, std::memory_order_relaxed); }
  ~Tracked() { live.fetch_sub(1, std::memory_order_relaxed); }
};

TEST(ControlledSchedulerTest, RequestStopFromAnObserverUnwindsEveryTask) {
  for (uint64_t seed = 0; seed < 20; ++seed) {
    ScheduleOptions o;
    o.seed = seed;
    ControlledScheduler s(o);
    sync::Mutex m(kM);
    bool after_stop_point = false;
    for (int t = 0; t < 3; ++t) {
      s.Spawn("t" + std::to_string(t), [&] {
        Tracked tracked;
        sync::MutexGuard g(m);
        sync::CondResched();  // the run ends here at the latest
        after_stop_point = true;
      });
    }
    StopOnAcquire observer(s, kM);
    RunOutcome r = s.Run(observer);
    EXPECT_EQ(r.status, RunStatus::kStopped);
    EXPECT_FALSE(r.finding.has_value());
    EXPECT_FALSE(after_stop_point);
    EXPECT_FALSE(m.IsLocked());
    EXPECT_EQ(Tracked::live, 0);
  }
}

TEST(ControlledSchedulerTest, DeadlockedTasksAreUnwoundWithNoLeakAndNoLiveFiber) {
  auto& pool = internal::StackPool::ForThisThread();
  size_t pooled_before = pool.pooled();
  {
    ControlledScheduler s(ScheduleOptions{});
    sync::Completion never(kEv);
    sync::Mutex m(kM);
    for (int t = 0; t < 4; ++t) {
      s.Spawn("t" + std::to_string(t), [&] {
        Tracked tracked;
        sync::MutexGuard g(m);  // the first holds m; the others park on it
        never.WaitForCompletion();
      });
    }
    sync::SyncObserver observer;
    RunOutcome r = s.Run(observer);
    EXPECT_EQ(r.status, RunStatus::kDeadlock);
    ASSERT_TRUE(r.finding.has_value());
    EXPECT_EQ(r.finding->tasks.size(), 4u);
    EXPECT_TRUE(r.finding->cycle.empty());  // an event nobody signals: a hang, not a cycle
    EXPECT_EQ(Tracked::live, 0);
    EXPECT_FALSE(m.IsLocked());
    for (const sync::Task* t : s.tasks()) EXPECT_TRUE(t->unwinding());
  }
  // Every fiber gave its stack back.
  EXPECT_EQ(pool.pooled(), std::max<size_t>(pooled_before, 4));
}

}  // namespace
}  // namespace hvfuzz::sched
