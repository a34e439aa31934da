// SPDX-License-Identifier: Apache-2.0
// Unit tests of the primitives on one task: the events they report, in lockdep's order, and
// the context they put the task in. Blocking behaviour needs two tasks and is tested with the
// controlled scheduler (tests/integration).
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "model/sync/lockdep_map.h"
#include "model/sync/mutex.h"
#include "model/sync/percpu_rw_semaphore.h"
#include "model/sync/rw_semaphore.h"
#include "model/sync/rwlock.h"
#include "model/sync/single_task_runtime.h"
#include "model/sync/spinlock.h"
#include "model/sync/srcu.h"
#include "model/sync/wait_event.h"

namespace hvfuzz::sync {
namespace {

const LockClass kMutexClass{"test_mutex", LockKind::kMutex};
const LockClass kSpinClass{"test_spin", LockKind::kSpinLock};
const LockClass kRwLockClass{"test_rwlock", LockKind::kRwLock};
const LockClass kRwSemClass{"test_rwsem", LockKind::kRwSemaphore};
const LockClass kSrcuClass{"test_srcu", LockKind::kSrcu};
const LockClass kMapClass{"test_map", LockKind::kLockdepMap};
const LockClass kCompletionClass{"test_done", LockKind::kLockdepMap};

// Records every event as "<event> <class> <mode>".
class Recorder : public SyncObserver {
 public:
  std::vector<std::string> events;
  bool atomic_at_sleep = false;

  void OnAcquire(Task&, const HeldLock& h) override { Add("acquire", h); }
  void OnContended(Task&, const HeldLock& h) override { Add("contended", h); }
  void OnAcquired(Task&, const HeldLock& h) override { Add("acquired", h); }
  void OnRelease(Task&, const HeldLock& h, Site) override { Add("release", h); }
  void OnBadUnlock(Task&, const LockBase& l, Site) override {
    events.push_back("bad-unlock " + std::string(l.ClassName()));
  }
  void OnSync(Task&, const HeldLock& h) override { Add("sync", h); }
  void OnMightSleep(Task& t, Site) override {
    events.push_back("might-sleep");
    atomic_at_sleep = atomic_at_sleep || t.InAtomic();
  }
  void OnAssertHeld(Task&, const LockBase& l, bool held, Site) override {
    events.push_back(std::string("assert-held ") + (held ? "yes" : "no"));
  }

 private:
  void Add(const char* what, const HeldLock& h) {
    events.push_back(std::string(what) + " " + std::string(h.lock_class().name()) + " " +
                     AcquireModeName(h.mode) + (h.trylock ? " try" : ""));
  }
};

TEST(MutexTest, ReportsAcquireAcquiredReleaseInLockdepOrder) {
  Recorder rec;
  SingleTaskRuntime rt(rec);
  Mutex m(kMutexClass, "vm0");
  m.Lock();
  EXPECT_EQ(rt.task().held().depth(), 1);
  EXPECT_TRUE(m.IsLocked());
  m.Unlock();
  EXPECT_EQ(rt.task().held().depth(), 0);
  EXPECT_EQ(rec.events,
            (std::vector<std::string>{"might-sleep", "acquire test_mutex write",
                                      "acquired test_mutex write", "release test_mutex write"}));
  EXPECT_EQ(m.Describe(), "test_mutex (vm0)");
}

TEST(MutexTest, SecondLockOfHeldMutexWaitsForever) {
  Recorder rec;
  SingleTaskRuntime rt(rec);
  Mutex m(kMutexClass);
  m.Lock();
  EXPECT_THROW(m.Lock(), TaskKilled);
  EXPECT_EQ(rt.waits(), 1);
  EXPECT_EQ(rec.events.back(), "contended test_mutex write");
  std::vector<const Task*> blockers;
  m.BlockersOf(rt.task(), blockers);
  ASSERT_EQ(blockers.size(), 1u);
  EXPECT_EQ(blockers[0], &rt.task());  // a self-deadlock is a cycle of one
  m.Unlock();
}

TEST(MutexTest, TrylockOfHeldMutexFailsWithoutEvents) {
  Recorder rec;
  SingleTaskRuntime rt(rec);
  Mutex m(kMutexClass);
  ASSERT_TRUE(m.TryLock());
  size_t before = rec.events.size();
  EXPECT_FALSE(m.TryLock());
  EXPECT_EQ(rec.events.size(), before);
  m.Unlock();
  EXPECT_EQ(rec.events[0], "acquire test_mutex write try");
}

TEST(MutexTest, KillableLockGivesUpOnlyWhenItWouldWait) {
  Recorder rec;
  SingleTaskRuntime rt(rec);
  Mutex m(kMutexClass);
  rt.task().set_fatal_signal_pending(true);
  ASSERT_TRUE(m.LockKillable());  // uncontended: taken despite the signal
  EXPECT_FALSE(m.LockKillable());  // contended: -EINTR
  EXPECT_EQ(rt.task().held().depth(), 1);
  m.Unlock();
}

TEST(MutexTest, UnlockOfUnheldMutexIsReportedAndChangesNothing) {
  Recorder rec;
  SingleTaskRuntime rt(rec);
  Mutex m(kMutexClass);
  m.Unlock();
  EXPECT_EQ(rec.events, (std::vector<std::string>{"bad-unlock test_mutex"}));
  EXPECT_FALSE(m.IsLocked());
}

TEST(SpinLockTest, HolderIsAtomicAndSleepInsideIsVisible) {
  Recorder rec;
  SingleTaskRuntime rt(rec);
  SpinLock s(kSpinClass);
  Mutex m(kMutexClass);
  s.Lock();
  EXPECT_TRUE(rt.task().InAtomic());
  m.Lock();  // the observer decides it is a bug; the primitive only reports
  EXPECT_TRUE(rec.atomic_at_sleep);
  m.Unlock();
  s.Unlock();
  EXPECT_FALSE(rt.task().InAtomic());
}

TEST(SpinLockTest, IrqVariantDisablesInterrupts) {
  Recorder rec;
  SingleTaskRuntime rt(rec);
  SpinLock s(kSpinClass);
  s.LockIrq();
  EXPECT_TRUE(rt.task().InAtomic());
  s.UnlockIrq();
  EXPECT_FALSE(rt.task().InAtomic());
}

TEST(RwLockTest, ProcessContextReaderIsNonRecursiveIrqReaderIsRecursive) {
  Recorder rec;
  SingleTaskRuntime rt(rec);
  RwLock l(kRwLockClass);
  l.ReadLock();
  l.ReadUnlock();
  rt.task().set_in_interrupt(true);
  l.ReadLock();
  l.ReadUnlock();
  EXPECT_EQ(rec.events[0], "acquire test_rwlock read");
  EXPECT_EQ(rec.events[3], "acquire test_rwlock recursive-read");
}

TEST(RwLockTest, TwoReadHoldsByOneTaskDoNotBlock) {
  Recorder rec;
  SingleTaskRuntime rt(rec);
  RwLock l(kRwLockClass);
  l.ReadLock();
  l.ReadLock();
  EXPECT_EQ(l.readers(), 2);
  l.ReadUnlock();
  l.ReadUnlock();
  EXPECT_EQ(l.readers(), 0);
  EXPECT_EQ(rt.waits(), 0);
}

TEST(RwSemaphoreTest, WriterWaitsForReaderOfSameTask) {
  Recorder rec;
  SingleTaskRuntime rt(rec);
  RwSemaphore s(kRwSemClass);
  s.DownRead();
  EXPECT_THROW(s.DownWrite(), TaskKilled);
  // The aborted writer must not keep blocking readers.
  EXPECT_TRUE(s.DownReadTrylock());
  s.UpRead();
  s.UpRead();
}

TEST(SrcuTest, ReadSectionIsRecursiveReadAndSyncIsAWriteThatIsNeverHeld) {
  Recorder rec;
  SingleTaskRuntime rt(rec);
  Srcu srcu(kSrcuClass);
  int idx = srcu.ReadLock();
  EXPECT_EQ(srcu.readers(), 1);
  srcu.ReadUnlock(idx);
  srcu.Synchronize();  // no reader: returns at once
  EXPECT_EQ(rt.task().held().depth(), 0);
  EXPECT_EQ(rec.events,
            (std::vector<std::string>{"acquire test_srcu recursive-read",
                                      "acquired test_srcu recursive-read",
                                      "release test_srcu recursive-read", "might-sleep",
                                      "sync test_srcu write"}));
}

TEST(SrcuTest, SynchronizeInsideOwnReadSectionWaitsForItself) {
  Recorder rec;
  SingleTaskRuntime rt(rec);
  Srcu srcu(kSrcuClass);
  int idx = srcu.ReadLock();
  EXPECT_THROW(srcu.Synchronize(), TaskKilled);
  std::vector<const Task*> blockers;
  rt.task().BeginWait(&srcu, 1000, Site::Here());
  srcu.BlockersOf(rt.task(), blockers);
  EXPECT_EQ(blockers.size(), 1u);
  rt.task().EndWait();
  srcu.ReadUnlock(idx);
}

TEST(LockdepMapTest, MapIsHeldButNeverBlocks) {
  Recorder rec;
  SingleTaskRuntime rt(rec);
  LockdepMap map(kMapClass);
  map.Acquire();
  EXPECT_EQ(rt.task().held().depth(), 1);
  map.Release();
  map.AcquireRelease();
  EXPECT_EQ(rt.task().held().depth(), 0);
  EXPECT_EQ(rec.events.size(), 6u);
}

TEST(AssertHeldTest, ReportsWhetherTheTaskHoldsTheLock) {
  Recorder rec;
  SingleTaskRuntime rt(rec);
  Mutex m(kMutexClass);
  EXPECT_FALSE(m.AssertHeld());
  m.Lock();
  EXPECT_TRUE(m.AssertHeld());
  m.Unlock();
  EXPECT_EQ(rec.events.front(), "assert-held no");
}

TEST(CompletionTest, CompletedBeforeWaitDoesNotSleepForever) {
  Recorder rec;
  SingleTaskRuntime rt(rec);
  Completion done(kCompletionClass);
  done.Complete();
  done.WaitForCompletion();
  EXPECT_THROW(done.WaitForCompletion(), TaskKilled);  // consumed: a second wait blocks
}

TEST(RcuWaitTest, WakeupBeforeScheduleIsNotLost) {
  Recorder rec;
  SingleTaskRuntime rt(rec);
  RcuWait w(kCompletionClass);
  w.PrepareToWait();
  w.WakeUp();
  w.Schedule();  // returns: the wakeup came after PrepareToWait
  EXPECT_THROW(w.Schedule(), TaskKilled);
  w.Finish();
}

TEST(KernelFrameTest, FramesAreRecordedInnermostFirst) {
  Recorder rec;
  SingleTaskRuntime rt(rec);
  HV_KERNEL_FUNCTION("kvm_vcpu_ioctl");
  {
    HV_KERNEL_FUNCTION("kvm_arch_vcpu_ioctl_run");
    FrameSnapshot f = rt.task().Frames();
    ASSERT_EQ(f.depth, 2);
    EXPECT_STREQ(f.names[0], "kvm_arch_vcpu_ioctl_run");
    EXPECT_STREQ(f.names[1], "kvm_vcpu_ioctl");
  }
  EXPECT_EQ(rt.task().Frames().depth, 1);
}

}  // namespace
}  // namespace hvfuzz::sync
