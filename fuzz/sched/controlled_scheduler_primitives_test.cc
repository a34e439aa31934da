// SPDX-License-Identifier: Apache-2.0
// The controlled scheduler driving the real model/sync primitives: mutual exclusion, an actual
// ABBA deadlock, writer preference of rwsem and percpu-rwsem, SRCU grace periods, and a
// trylock livelock caught by the step budget. Interleavings that matter are forced with
// schedule bytes (byte % runnable -> index into the runnable tasks sorted by id).
#include <string>
#include <type_traits>
#include <vector>

#include "fuzz/sched/controlled_scheduler.h"
#include "gtest/gtest.h"
#include "model/sync/mutex.h"
#include "model/sync/percpu_rw_semaphore.h"
#include "model/sync/rw_semaphore.h"
#include "model/sync/srcu.h"
#include "model/sync/wait_event.h"

namespace hvfuzz::sched {
namespace {

using sync::LockClass;
using sync::LockKind;

const LockClass kA{"sched_prim_A", LockKind::kMutex};
const LockClass kB{"sched_prim_B", LockKind::kMutex};
const LockClass kRw{"sched_prim_rwsem", LockKind::kRwSemaphore};
const LockClass kHotplug{"sched_prim_hotplug", LockKind::kPercpuRwSem};
const LockClass kSrcu{"sched_prim_srcu", LockKind::kSrcu};
const LockClass kDone{"sched_prim_done", LockKind::kLockdepMap};

// Scoped holds, so that deadlocked tasks release everything when they are unwound.
template <class Lock>
struct ReadHold {
  explicit ReadHold(Lock& l) : l_(l) { l_.DownRead(); }
  ~ReadHold() { l_.UpRead(); }
  Lock& l_;
};
template <class Lock>
struct WriteHold {
  explicit WriteHold(Lock& l) : l_(l) { l_.DownWrite(); }
  ~WriteHold() { l_.UpWrite(); }
  Lock& l_;
};

ScheduleOptions Bytes(std::vector<uint8_t> bytes, uint64_t seed = 0) {
  ScheduleOptions o;
  o.schedule_bytes = std::move(bytes);
  o.seed = seed;
  return o;
}

TEST(ControlledPrimitivesTest, MutexExcludesUnderEveryStrategy) {
  for (const char* strategy : {"random", "pct"}) {
    for (uint64_t seed = 0; seed < 30; ++seed) {
      ScheduleOptions o;
      o.strategy = strategy;
      o.seed = seed;
      ControlledScheduler s(o);
      sync::Mutex m(kA);
      int inside = 0, total = 0;
      for (int t = 0; t < 3; ++t) {
        s.Spawn("t" + std::to_string(t), [&] {
          for (int i = 0; i < 10; ++i) {
            sync::MutexGuard g(m);
            EXPECT_EQ(inside++, 0);
            sync::CondResched();  // a chance for the others to try the lock
            --inside;
            ++total;
          }
        });
      }
      sync::SyncObserver observer;
      RunOutcome r = s.Run(observer);
      EXPECT_EQ(r.status, RunStatus::kCompleted) << strategy << " seed " << seed;
      EXPECT_EQ(total, 30);
    }
  }
}

TEST(ControlledPrimitivesTest, InterleavedAbbaIsAnActualDeadlock) {
  // start:t0 | t0 lock(A):t0 | t0 lock(B):t1 | t1 lock(B):t1 | t1 lock(A):t1 -> both park.
  ControlledScheduler s(Bytes({0, 0, 1, 1, 1}));
  sync::Mutex a(kA), b(kB);
  s.Spawn("t0", [&] {
    sync::MutexGuard ga(a);
    sync::MutexGuard gb(b);
  });
  s.Spawn("t1", [&] {
    sync::MutexGuard gb(b);
    sync::MutexGuard ga(a);
  });
  sync::SyncObserver observer;
  RunOutcome r = s.Run(observer);
  ASSERT_EQ(r.status, RunStatus::kDeadlock);
  ASSERT_TRUE(r.finding.has_value());
  EXPECT_EQ(r.finding->kind, check::FindingKind::kDeadlock);
  EXPECT_EQ(r.finding->cycle.size(), 2u);
  EXPECT_EQ(r.finding->replay.strategy, "random");
  // Unwinding ran the guards: both locks are free again.
  EXPECT_FALSE(a.IsLocked());
  EXPECT_FALSE(b.IsLocked());
}

// Three tasks on a reader/writer lock: t0 reads and stays inside until t2 has arrived, t1
// wants to write (waits for t0), t2 reads after t1 started waiting. Writer preference: t2
// must wait although only a reader holds the lock, and gets in only after t1 wrote.
template <class Lock>
void ReaderQueuesBehindWaitingWriter() {
  // start:t0 | t0 read:t0 | t0 resched:t1 | t1 write:t1 (parks) | t2 | t2 read:t2 (parks)
  ControlledScheduler s(Bytes({0, 0, 1, 1, 1, 1}));
  Lock lock(std::is_same_v<Lock, sync::RwSemaphore> ? kRw : kHotplug);
  std::vector<std::string> log;
  s.Spawn("reader0", [&] {
    lock.DownRead();
    sync::CondResched();
    // Only t0 can run now: t1 waits to write, t2 waits to read behind it.
    const sync::Task& t2 = *s.tasks()[2];
    EXPECT_EQ(t2.waiting_on(), &lock);
    EXPECT_EQ(lock.readers(), 1);
    EXPECT_EQ(lock.writer(), nullptr);
    log.push_back("r0-up");
    lock.UpRead();
  });
  s.Spawn("writer", [&] {
    lock.DownWrite();
    log.push_back("w");
    lock.UpWrite();
  });
  s.Spawn("reader2", [&] {
    lock.DownRead();
    log.push_back("r2");
    lock.UpRead();
  });
  sync::SyncObserver observer;
  RunOutcome r = s.Run(observer);
  EXPECT_EQ(r.status, RunStatus::kCompleted);
  EXPECT_EQ(log, (std::vector<std::string>{"r0-up", "w", "r2"}));
}

TEST(ControlledPrimitivesTest, RwSemReaderBlocksBehindWaitingWriter) {
  ReaderQueuesBehindWaitingWriter<sync::RwSemaphore>();
}

TEST(ControlledPrimitivesTest, PercpuRwSemReaderBlocksBehindPendingWriter) {
  ReaderQueuesBehindWaitingWriter<sync::PercpuRwSemaphore>();
}

// cpus_read_lock(); mutex_lock(X) against mutex_lock(X); cpus_read_lock() is only a deadlock
// because a pending hotplug writer makes the second reader wait: a 3-task wait-for cycle.
TEST(ControlledPrimitivesTest, PercpuReaderPendingWriterMutexIsAThreeTaskDeadlock) {
  // start:t0 | t0 read:t0 | t0 lock(X):t1 | t1 lock(X):t1 | t1 read:t2 | t2 write:t2 (parks)
  // | t1 (its read parks) | t0 (its lock(X) parks): nobody left.
  ControlledScheduler s(Bytes({0, 0, 1, 1, 2, 2, 1}));
  sync::PercpuRwSemaphore hotplug(kHotplug);
  sync::Mutex x(kA);
  s.Spawn("reader", [&] {
    ReadHold cpus_read_lock(hotplug);
    sync::MutexGuard g(x);
  });
  s.Spawn("locker", [&] {
    sync::MutexGuard g(x);
    ReadHold cpus_read_lock(hotplug);
  });
  s.Spawn("hotplug", [&] { WriteHold cpus_write_lock(hotplug); });
  sync::SyncObserver observer;
  RunOutcome r = s.Run(observer);
  ASSERT_EQ(r.status, RunStatus::kDeadlock) << s.trace().ToText();
  ASSERT_TRUE(r.finding.has_value());
  EXPECT_EQ(r.finding->cycle.size(), 3u);
}

TEST(ControlledPrimitivesTest, SrcuSynchronizeIgnoresReadersThatStartAfterIt) {
  // start:t0 | t0 read:t0 | t0 resched:t1 | t1 sync:t1 (parks) | t2 | t2 read:t2 | t2 wait:t2
  ControlledScheduler s(Bytes({0, 0, 1, 1, 1, 1, 1}));
  sync::Srcu srcu(kSrcu);
  sync::Completion done(kDone);
  bool synced = false;
  s.Spawn("old-reader", [&] {
    int idx = srcu.ReadLock();
    sync::CondResched();
    EXPECT_FALSE(synced);  // the grace period waits for this reader
    srcu.ReadUnlock(idx);
  });
  s.Spawn("synchronizer", [&] {
    srcu.Synchronize();
    synced = true;
    EXPECT_EQ(srcu.readers(), 1);  // the new reader is still inside
    done.Complete();
  });
  s.Spawn("new-reader", [&] {
    int idx = srcu.ReadLock();
    done.WaitForCompletion();  // would deadlock if the grace period waited for us
    srcu.ReadUnlock(idx);
  });
  sync::SyncObserver observer;
  RunOutcome r = s.Run(observer);
  EXPECT_EQ(r.status, RunStatus::kCompleted) << s.trace().ToText();
  EXPECT_TRUE(synced);
}

TEST(ControlledPrimitivesTest, TrylockLivelockRunsIntoTheStepBudget) {
  // start:t0 | t0 lock(A):t0 | t0 trylock(B):t1 | t1 lock(B):t1, then the seed decides.
  ScheduleOptions o = Bytes({0, 0, 1, 1}, /*seed=*/9);
  o.max_steps = 500;
  ControlledScheduler s(o);
  sync::Mutex a(kA), b(kB);
  auto spin = [&](sync::Mutex& mine, sync::Mutex& other) {
    sync::MutexGuard g(mine);
    while (!other.TryLock()) sync::CondResched();
    other.Unlock();
  };
  s.Spawn("t0", [&] { spin(a, b); });
  s.Spawn("t1", [&] { spin(b, a); });
  sync::SyncObserver observer;
  RunOutcome r = s.Run(observer);
  ASSERT_EQ(r.status, RunStatus::kStepBudget);
  EXPECT_EQ(r.steps, 500u);
  ASSERT_TRUE(r.finding.has_value());
  EXPECT_EQ(r.finding->kind, check::FindingKind::kStepBudget);
  EXPECT_FALSE(a.IsLocked());
  EXPECT_FALSE(b.IsLocked());
}

}  // namespace
}  // namespace hvfuzz::sched
