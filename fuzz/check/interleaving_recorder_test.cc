// SPDX-License-Identifier: Apache-2.0
// InterleavingRecorder on real primitives: what becomes a step, how it is spelled, the ring,
// no allocation per event, and AttachInterleaving's marking of waits.
#include "fuzz/check/interleaving_recorder.h"

#include <atomic>
#include <cstdlib>
#include <memory>
#include <new>
#include <thread>

#include "gtest/gtest.h"
#include "model/sync/kernel_context.h"
#include "model/sync/lockdep_map.h"
#include "model/sync/mutex.h"
#include "model/sync/percpu_rw_semaphore.h"
#include "model/sync/rw_semaphore.h"
#include "model/sync/rwlock.h"
#include "model/sync/spinlock.h"
#include "model/sync/srcu.h"
#include "model/sync/wait_event.h"

// Counts allocations of this test binary, for the no-allocation-per-event test. TSan's runtime
// defines the global operator new itself, so under TSan the count is unavailable.
#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define HVFUZZ_TEST_NO_NEW_REPLACEMENT 1
#endif
#endif
namespace {
std::atomic<long> g_allocations{0};
}  // namespace
#if !defined(HVFUZZ_TEST_NO_NEW_REPLACEMENT)
void* operator new(size_t n) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void* operator new[](size_t n) { return operator new(n); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }
void operator delete[](void* p, size_t) noexcept { std::free(p); }
#endif

namespace hvfuzz::check {
namespace {

using sync::LockKind;
using sync::Site;

const sync::LockClass kMutex{"&kvm->lock", LockKind::kMutex};
const sync::LockClass kSpin{"&kvm->mmu_lock", LockKind::kSpinLock};
const sync::LockClass kRwLock{"&gpc->lock", LockKind::kRwLock};
const sync::LockClass kRwSem{"&kvm->mmu_notifier_slots_lock", LockKind::kRwSemaphore};
const sync::LockClass kSrcu{"&kvm->srcu", LockKind::kSrcu};
const sync::LockClass kPercpu{"cpu_hotplug_lock", LockKind::kPercpuRwSem};
const sync::LockClass kMap{"mmu_notifier_invalidate_range_start", LockKind::kLockdepMap};

// One task at a time on this thread; a wait gives up at once (TaskKilled).
class GiveUpRuntime final : public sync::SyncRuntime {
 public:
  void SchedulingPoint(sync::Task&, sync::SchedulingPoint) override {}
  void LockState(sync::WaitChannel&) override {}
  void UnlockState(sync::WaitChannel&) override {}
  void Wait(sync::Task&, sync::WaitChannel&) override { throw sync::TaskKilled{}; }
  void Wake(sync::WaitChannel&) override {}
};

class InterleavingRecorderTest : public ::testing::Test {
 protected:
  ~InterleavingRecorderTest() override { sync::SetCurrentTask(nullptr); }
  sync::Task& AddTask(int id) {
    tasks_.push_back(std::make_unique<sync::Task>(id, "t" + std::to_string(id), runtime_, rec_));
    return *tasks_.back();
  }
  void As(sync::Task& t, uint64_t step) {
    t.set_step(step);
    sync::SetCurrentTask(&t);
  }
  std::vector<std::string> Actions() const {
    std::vector<std::string> out;
    for (const InterleavingStep& s : rec_.Steps()) out.push_back(s.action);
    return out;
  }

  GiveUpRuntime runtime_;
  InterleavingRecorder rec_;
  std::vector<std::unique_ptr<sync::Task>> tasks_;
};

TEST_F(InterleavingRecorderTest, SpellsEachPrimitiveLikeTheKernel) {
  sync::Task& t0 = AddTask(0);
  As(t0, 1);
  sync::Mutex m(kMutex, "vm0");
  sync::SpinLock s(kSpin);
  sync::RwLock rw(kRwLock);
  sync::RwSemaphore sem(kRwSem);
  sync::Srcu srcu(kSrcu);
  sync::PercpuRwSemaphore hotplug(kPercpu);
  sync::LockdepMap map(kMap);
  m.Lock();
  m.Unlock();
  s.Lock();
  s.Unlock();
  rw.ReadLock();
  rw.ReadUnlock();
  rw.WriteLock();
  rw.WriteUnlock();
  sem.DownRead();
  sem.UpRead();
  EXPECT_TRUE(sem.DownWriteTrylock());
  sem.UpWrite();
  int idx = srcu.ReadLock();
  srcu.ReadUnlock(idx);
  srcu.Synchronize();
  hotplug.DownRead();
  hotplug.UpRead();
  map.AcquireRead();
  map.Release();
  sync::MightSleep();  // not a step
  sync::ReturnToUser("KVM_SET_USER_MEMORY_REGION");
  EXPECT_EQ(Actions(), (std::vector<std::string>{
                           "lock(&kvm->lock)",
                           "unlock(&kvm->lock)",
                           "spin_lock(&kvm->mmu_lock)",
                           "spin_unlock(&kvm->mmu_lock)",
                           "read_lock(&gpc->lock)",
                           "read_unlock(&gpc->lock)",
                           "write_lock(&gpc->lock)",
                           "write_unlock(&gpc->lock)",
                           "down_read(&kvm->mmu_notifier_slots_lock)",
                           "up_read(&kvm->mmu_notifier_slots_lock)",
                           "down_write_trylock(&kvm->mmu_notifier_slots_lock)",
                           "up_write(&kvm->mmu_notifier_slots_lock)",
                           "srcu_read_lock(&kvm->srcu)",
                           "srcu_read_unlock(&kvm->srcu)",
                           "synchronize_srcu(&kvm->srcu)",
                           "percpu_down_read(cpu_hotplug_lock)",
                           "percpu_up_read(cpu_hotplug_lock)",
                           "lock_map_acquire_read(mmu_notifier_invalidate_range_start)",
                           "lock_map_release(mmu_notifier_invalidate_range_start)",
                           "return to user: KVM_SET_USER_MEMORY_REGION",
                       }));
}

TEST_F(InterleavingRecorderTest, StepsCarryStepTaskSiteAndBlocks) {
  sync::Task& t0 = AddTask(0);
  sync::Task& t1 = AddTask(1);
  sync::Mutex m(kMutex);
  As(t1, 3);
  m.Lock(Site{"model/vm.cc", 70});
  As(t0, 4);
  EXPECT_THROW(m.Lock(Site{"model/xen.cc", 120}), sync::TaskKilled);
  std::vector<InterleavingStep> steps = rec_.Steps();
  ASSERT_EQ(steps.size(), 2u);
  EXPECT_EQ(steps[0].step, 3u);
  EXPECT_EQ(steps[0].task, 1);
  EXPECT_EQ(steps[0].site, "model/vm.cc:70");
  EXPECT_FALSE(steps[0].blocks);
  EXPECT_EQ(steps[1].step, 4u);
  EXPECT_EQ(steps[1].task, 0);
  EXPECT_EQ(steps[1].action, "lock(&kvm->lock)");
  EXPECT_EQ(steps[1].site, "model/xen.cc:120");
  EXPECT_TRUE(steps[1].blocks);
  As(t1, 5);
  m.Unlock(Site{"model/vm.cc", 80});
  EXPECT_EQ(rec_.Steps().back().site, "model/vm.cc:80");
}

TEST_F(InterleavingRecorderTest, RingKeepsTheNewestStepsOldestFirst) {
  InterleavingRecorder small(4);
  sync::Task& t0 = AddTask(0);
  t0.set_observer(small);
  for (uint64_t i = 0; i < 10; ++i) {
    t0.set_step(i);
    small.OnReturnToUser(t0, "op" + std::to_string(i));
  }
  std::vector<InterleavingStep> steps = small.Steps();
  ASSERT_EQ(steps.size(), 4u);
  EXPECT_EQ(steps.front().action, "return to user: op6");
  EXPECT_EQ(steps.back().action, "return to user: op9");
  EXPECT_EQ(steps.back().step, 9u);
  EXPECT_EQ(small.recorded(), 10u);
  EXPECT_EQ(small.capacity(), 4);
  small.Clear();
  EXPECT_TRUE(small.Steps().empty());
  EXPECT_EQ(small.recorded(), 0u);
}

TEST_F(InterleavingRecorderTest, FreezeKeepsTheStepsBeforeAFindingUntilClear) {
  InterleavingRecorder small(4);
  sync::Task& t0 = AddTask(0);
  for (uint64_t i = 0; i < 3; ++i) {
    t0.set_step(i);
    small.OnReturnToUser(t0, "before" + std::to_string(i));
  }
  small.Freeze();
  // More events than the ring holds: none of them may push the earlier ones out.
  for (uint64_t i = 3; i < 10; ++i) {
    t0.set_step(i);
    small.OnReturnToUser(t0, "after");
  }
  std::vector<InterleavingStep> steps = small.Steps();
  ASSERT_EQ(steps.size(), 3u);
  EXPECT_EQ(steps.back().action, "return to user: before2");
  EXPECT_EQ(small.recorded(), 3u);
  small.Clear();
  small.OnReturnToUser(t0, "again");
  ASSERT_EQ(small.Steps().size(), 1u);
  EXPECT_EQ(small.Steps()[0].action, "return to user: again");
}

TEST_F(InterleavingRecorderTest, LongOperationNamesAreTruncated) {
  sync::Task& t0 = AddTask(0);
  rec_.OnReturnToUser(t0, std::string(100, 'x'));
  EXPECT_EQ(rec_.Steps()[0].action,
            "return to user: " + std::string(InterleavingRecorder::kMaxOperationLength, 'x'));
}

TEST_F(InterleavingRecorderTest, RecordingDoesNotAllocate) {
#if defined(HVFUZZ_TEST_NO_NEW_REPLACEMENT)
  GTEST_SKIP() << "operator new cannot be replaced under TSan";
#endif
  sync::Task& t0 = AddTask(0);
  As(t0, 1);
  sync::Mutex m(kMutex);
  m.Lock();  // warm-up
  m.Unlock();
  long before = g_allocations.load();
  for (int i = 0; i < 1000; ++i) {
    m.Lock();
    m.Unlock();
    rec_.OnReturnToUser(t0, "KVM_RUN");
  }
  EXPECT_EQ(g_allocations.load() - before, 0);
  EXPECT_EQ(rec_.recorded(), 3002u);
}

TEST_F(InterleavingRecorderTest, ThreadedModeTakesEventsFromManyThreads) {
  InterleavingRecorder threaded(64, InterleavingRecorder::Concurrency::kThreaded);
  for (int i = 0; i < 4; ++i) AddTask(i);
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&, i] {
      for (int n = 0; n < 500; ++n) threaded.OnReturnToUser(*tasks_[i], "KVM_RUN");
      (void)threaded.Steps();
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(threaded.recorded(), 2000u);
  EXPECT_EQ(threaded.Steps().size(), 64u);
}

TEST(AttachInterleavingTest, MarksRecordedWaitsAndInsertsUnrecordedOnes) {
  Finding f;
  TaskSnapshot t0;
  t0.task = 0;
  t0.step = 7;
  t0.waiting_for = LockRef{
      "&kvm->lock", "vm0", LockKind::kMutex, sync::AcquireMode::kExclusive, "model/xen.cc:120", {}};
  t0.wait_action = "lock(&kvm->lock)";
  TaskSnapshot t1;
  t1.task = 1;
  t1.step = 5;
  t1.waiting_for =
      LockRef{"&vcpu->done",     "", LockKind::kLockdepMap, sync::AcquireMode::kExclusive,
              "model/vcpu.cc:9", {}};
  t1.wait_action = "wait_for_completion(&vcpu->done)";
  TaskSnapshot t2;  // finished: nothing to mark
  t2.task = 2;
  t2.finished = true;
  f.tasks = {t0, t1, t2};
  std::vector<InterleavingStep> steps = {
      {2, 1, "lock(&kvm->lock)", "model/vm.cc:70", false},
      {4, 0, "srcu_read_lock(&kvm->srcu)", "model/vcpu.cc:44", false},
      {6, 2, "return to user: KVM_RUN", "", false},
      {7, 0, "lock(&kvm->lock)", "model/xen.cc:120", false},
  };
  AttachInterleaving(f, steps);
  ASSERT_EQ(f.interleaving.size(), 5u);
  EXPECT_FALSE(f.interleaving[0].blocks);
  EXPECT_EQ(f.interleaving[2].action, "wait_for_completion(&vcpu->done)");
  EXPECT_EQ(f.interleaving[2].step, 5u);
  EXPECT_EQ(f.interleaving[2].task, 1);
  EXPECT_EQ(f.interleaving[2].site, "model/vcpu.cc:9");
  EXPECT_TRUE(f.interleaving[2].blocks);
  EXPECT_TRUE(f.interleaving[4].blocks);
  EXPECT_FALSE(f.interleaving[3].blocks);
}

}  // namespace
}  // namespace hvfuzz::check
