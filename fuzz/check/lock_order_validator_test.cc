// SPDX-License-Identifier: Apache-2.0
// LockOrderValidator through the real primitives on one task (SingleTaskRuntime: both halves
// of a potential deadlock run one after the other, as lockdep sees them across a boot), and
// through direct observer calls where two tasks must be told apart. Each test names the rule
// it would catch breaking; the "clean" ones also check the dependencies were recorded, so
// that a validator that ignores a primitive fails them too.
#include "fuzz/check/lock_order_validator.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "model/sync/kernel_context.h"
#include "model/sync/lockdep_map.h"
#include "model/sync/mutex.h"
#include "model/sync/percpu_rw_semaphore.h"
#include "model/sync/rw_semaphore.h"
#include "model/sync/rwlock.h"
#include "model/sync/single_task_runtime.h"
#include "model/sync/spinlock.h"
#include "model/sync/srcu.h"
#include "model/sync/wait_event.h"

namespace hvfuzz::check {
namespace {

using sync::AcquireMode;
using sync::LockClass;
using sync::LockKind;
using sync::Mutex;
using sync::Site;

const LockClass kA{"A", LockKind::kMutex};
const LockClass kB{"B", LockKind::kMutex};
const LockClass kL{"L", LockKind::kMutex};
const LockClass kOuter{"outer", LockKind::kMutex};
const LockClass kVcpu{"vcpu", LockKind::kMutex};
const LockClass kSpin{"spin", LockKind::kSpinLock};
const LockClass kRwA{"rwA", LockKind::kRwLock};
const LockClass kRwB{"rwB", LockKind::kRwLock};
const LockClass kSemA{"semA", LockKind::kRwSemaphore};
const LockClass kSemB{"semB", LockKind::kRwSemaphore};
const LockClass kSrcu{"S", LockKind::kSrcu};
const LockClass kSrcu2{"S2", LockKind::kSrcu};
const LockClass kHotplug{"cpu_hotplug_lock", LockKind::kPercpuRwSem};
const LockClass kReclaim{"fs_reclaim", LockKind::kLockdepMap};
const LockClass kNotifier{"mmu_notifier_invalidate_range_start", LockKind::kLockdepMap};

constexpr Site kSite1{"model/one.cc", 11};
constexpr Site kSite2{"model/two.cc", 22};
constexpr Site kSite3{"model/three.cc", 33};

// The lock classes a cycle goes through, in order ("to" of each dependency).
std::vector<std::string> CycleClasses(const Finding& f) {
  std::vector<std::string> out;
  for (const Dependency& d : f.cycle) out.push_back(d.to.lock_class);
  return out;
}

void TakeBThenA(Mutex& a, Mutex& b) {
  HV_KERNEL_FUNCTION("kvm_take_b_then_a");
  b.Lock(kSite2);
  a.Lock(kSite3);
  a.Unlock();
  b.Unlock();
}

TEST(LockOrderValidatorTest, SequentialAbbaIsReportedWithWhereEachDependencyWasSeen) {
  LockOrderValidator v;
  sync::SingleTaskRuntime rt(v);
  Mutex a(kA, "vm0"), b(kB, "vm0");
  rt.task().set_step(5);
  a.Lock(kSite1);
  b.Lock(kSite2);
  b.Unlock();
  a.Unlock();
  EXPECT_FALSE(v.has_finding());
  rt.task().set_step(9);
  TakeBThenA(a, b);
  ASSERT_TRUE(v.has_finding());
  const Finding& f = *v.finding();
  EXPECT_EQ(f.kind, FindingKind::kLockOrderCycle);
  EXPECT_EQ(f.title, "lock-order-cycle in kvm_take_b_then_a");
  EXPECT_EQ(f.task_name, "t0");
  ASSERT_TRUE(f.acquiring.has_value());
  EXPECT_EQ(f.acquiring->lock_class, "A");
  ASSERT_EQ(f.cycle.size(), 2u);
  // First the recorded A -> B, then the closing B -> A.
  EXPECT_EQ(f.cycle[0].from.lock_class, "A");
  EXPECT_EQ(f.cycle[0].to.lock_class, "B");
  EXPECT_EQ(f.cycle[0].from.site, "model/one.cc:11");
  EXPECT_EQ(f.cycle[0].to.site, "model/two.cc:22");
  EXPECT_EQ(f.cycle[0].step, 5u);
  EXPECT_TRUE(f.cycle[0].to.frames.empty());
  EXPECT_EQ(f.cycle[1].from.lock_class, "B");
  EXPECT_EQ(f.cycle[1].to.lock_class, "A");
  EXPECT_EQ(f.cycle[1].to.instance, "vm0");
  EXPECT_EQ(f.cycle[1].step, 9u);
  ASSERT_EQ(f.cycle[1].to.frames.size(), 1u);
  EXPECT_EQ(f.cycle[1].to.frames[0], "kvm_take_b_then_a");
  ASSERT_EQ(f.tasks.size(), 1u);
  ASSERT_EQ(f.tasks[0].held.size(), 1u);  // B, while A is being acquired
  EXPECT_EQ(f.tasks[0].held[0].lock_class, "B");
  EXPECT_EQ(f.headline, "t0 takes A inside B, closing a cycle of 2 lock classes");
  EXPECT_EQ(f.site, "model/three.cc:33");
  EXPECT_EQ(f.frames, (std::vector<std::string>{"kvm_take_b_then_a"}));
  EXPECT_EQ(f.Signature(), "lock-order-cycle|A,B|");
}

TEST(LockOrderValidatorTest, SameOrderTwiceIsCleanAndCachedAfterTheFirstTime) {
  LockOrderValidator v;
  sync::SingleTaskRuntime rt(v);
  Mutex a(kA), b(kB), l(kL);
  for (int i = 0; i < 3; ++i) {
    a.Lock();
    b.Lock();
    l.Lock();
    l.Unlock();
    b.Unlock();
    a.Unlock();
  }
  EXPECT_FALSE(v.has_finding());
  EXPECT_EQ(v.dependencies().size(), 3u);  // A->B, A->L, B->L: from every held lock
  EXPECT_EQ(v.graph().TestOnlyEdgeCount(), 3);
  EXPECT_EQ(v.TestOnlyChainCacheSize(), 3u);  // [] A, [A] B, [A B] L
}

// The chain cache must not merge chains that differ only in how locks are held or taken.
TEST(LockOrderValidatorTest, ChainCacheKeepsChainsThatDifferOnlyInModesApart) {
  LockOrderValidator v;
  sync::SingleTaskRuntime rt(v);
  sync::RwLock ra(kRwA), rb(kRwB);
  rt.task().set_in_interrupt(true);
  ra.ReadLock();
  rb.ReadLock();  // rwA -(SR)-> rwB
  rb.ReadUnlock();
  ra.ReadUnlock();
  rt.task().set_in_interrupt(false);
  ra.ReadLock();
  rb.ReadLock();  // rwA -(SN)-> rwB: the acquired mode differs
  rb.ReadUnlock();
  ra.ReadUnlock();
  ra.WriteLock();
  rb.ReadLock();  // rwA -(EN)-> rwB: the held mode differs
  rb.ReadUnlock();
  ra.WriteUnlock();
  EXPECT_EQ(v.dependencies().size(), 3u);
  EXPECT_EQ(v.TestOnlyChainCacheSize(), 5u);  // rwA twice as a first lock: R and N
  EXPECT_FALSE(v.has_finding());
}

TEST(LockOrderValidatorTest, EdgesComeFromEveryHeldLockNotOnlyTheTop) {
  LockOrderValidator v;
  sync::SingleTaskRuntime rt(v);
  Mutex a(kA), b(kB), l(kL);
  a.Lock();
  b.Lock();
  l.Lock();
  l.Unlock();
  b.Unlock();
  a.Unlock();
  // L -> A closes A -> L directly (lockdep would need A -> B -> L).
  l.Lock();
  a.Lock();
  ASSERT_TRUE(v.has_finding());
  EXPECT_EQ(v.finding()->cycle.size(), 2u);
  EXPECT_EQ(CycleClasses(*v.finding()), (std::vector<std::string>{"L", "A"}));
}

TEST(LockOrderValidatorTest, RwLockReadersInInterruptContextInOppositeOrderAreNotReported) {
  LockOrderValidator v;
  sync::SingleTaskRuntime rt(v);
  sync::RwLock ra(kRwA), rb(kRwB);
  rt.task().set_in_interrupt(true);  // recursive readers (read_lock_is_recursive)
  ra.ReadLock();
  rb.ReadLock();
  rb.ReadUnlock();
  ra.ReadUnlock();
  rb.ReadLock();
  ra.ReadLock();
  ra.ReadUnlock();
  rb.ReadUnlock();
  EXPECT_FALSE(v.has_finding());
  EXPECT_EQ(v.dependencies().size(), 2u);  // both directions recorded, as -(SR)->
  EXPECT_EQ(v.dependencies()[1].to.mode, AcquireMode::kRecursiveRead);
}

TEST(LockOrderValidatorTest, RwLockReadersInProcessContextInOppositeOrderAreReported) {
  LockOrderValidator v;
  sync::SingleTaskRuntime rt(v);
  sync::RwLock ra(kRwA), rb(kRwB);
  ra.ReadLock();
  rb.ReadLock();
  rb.ReadUnlock();
  ra.ReadUnlock();
  rb.ReadLock();
  ra.ReadLock();
  ASSERT_TRUE(v.has_finding());
  EXPECT_EQ(v.finding()->kind, FindingKind::kLockOrderCycle);
}

TEST(LockOrderValidatorTest, RwSemReadersInOppositeOrderAreReported) {
  LockOrderValidator v;
  sync::SingleTaskRuntime rt(v);
  sync::RwSemaphore sa(kSemA), sb(kSemB);
  sa.DownRead();
  sb.DownRead();
  sb.UpRead();
  sa.UpRead();
  sb.DownRead();
  sa.DownRead();
  ASSERT_TRUE(v.has_finding());
  const Finding& f = *v.finding();
  EXPECT_EQ(f.kind, FindingKind::kLockOrderCycle);
  EXPECT_EQ(CycleClasses(f), (std::vector<std::string>{"semB", "semA"}));
  EXPECT_EQ(f.cycle[0].from.mode, AcquireMode::kRead);
  EXPECT_EQ(f.cycle[0].to.mode, AcquireMode::kRead);
}

TEST(LockOrderValidatorTest, SynchronizeSrcuUnderLockVersusLockInsideReadSectionIsReported) {
  LockOrderValidator v;
  sync::SingleTaskRuntime rt(v);
  Mutex l(kL);
  sync::Srcu s(kSrcu);
  l.Lock(kSite1);
  s.Synchronize(kSite2);  // no reader: returns at once, records L -> S (write)
  l.Unlock();
  EXPECT_FALSE(v.has_finding());
  int idx = s.ReadLock();
  l.Lock(kSite3);
  ASSERT_TRUE(v.has_finding());
  const Finding& f = *v.finding();
  EXPECT_EQ(f.kind, FindingKind::kLockOrderCycle);
  EXPECT_EQ(f.title, "lock-order-cycle in model/three.cc:33");  // no frame: the site
  ASSERT_EQ(f.cycle.size(), 2u);
  EXPECT_EQ(f.cycle[0].to.lock_class, "S");
  EXPECT_EQ(f.cycle[0].to.mode, AcquireMode::kExclusive);
  EXPECT_EQ(f.cycle[1].from.mode, AcquireMode::kRecursiveRead);
  l.Unlock();
  s.ReadUnlock(idx);
}

TEST(LockOrderValidatorTest, SynchronizeSrcuClosingTheCycleIsReportedAsASync) {
  LockOrderValidator v;
  sync::SingleTaskRuntime rt(v);
  Mutex l(kL);
  sync::Srcu s(kSrcu);
  int idx = s.ReadLock();
  l.Lock();
  l.Unlock();
  s.ReadUnlock(idx);
  l.Lock();
  s.Synchronize();
  ASSERT_TRUE(v.has_finding());
  EXPECT_EQ(v.finding()->kind, FindingKind::kLockOrderCycle);
  EXPECT_EQ(v.finding()->headline,
            "t0 calls synchronize_srcu(S) inside L, closing a cycle of 2 lock classes");
}

TEST(LockOrderValidatorTest, SrcuReadersNestingInOppositeOrderAreNotReported) {
  LockOrderValidator v;
  sync::SingleTaskRuntime rt(v);
  sync::Srcu s1(kSrcu), s2(kSrcu2);
  int i1 = s1.ReadLock();
  int i2 = s2.ReadLock();
  s2.ReadUnlock(i2);
  s1.ReadUnlock(i1);
  i2 = s2.ReadLock();
  i1 = s1.ReadLock();
  EXPECT_FALSE(v.has_finding());
  EXPECT_EQ(v.dependencies().size(), 2u);
  // A nested reader of the same SRCU is fine too (read after read).
  int again = s1.ReadLock();
  EXPECT_FALSE(v.has_finding());
  s1.ReadUnlock(again);
  s1.ReadUnlock(i1);
  s2.ReadUnlock(i2);
}

TEST(LockOrderValidatorTest, SynchronizeSrcuInsideItsOwnReadSectionIsRecursiveLocking) {
  LockOrderValidator v;
  sync::SingleTaskRuntime rt(v);
  sync::Srcu s(kSrcu);
  int idx = s.ReadLock();
  EXPECT_THROW(s.Synchronize(kSite2), sync::TaskKilled);  // it would wait for itself
  ASSERT_TRUE(v.has_finding());
  EXPECT_EQ(v.finding()->kind, FindingKind::kRecursiveLocking);
  EXPECT_EQ(v.finding()->title, "recursive-locking in model/two.cc:22");
  EXPECT_EQ(v.finding()->headline,
            "t0 calls synchronize_srcu(S) while holding S (read): it would wait for itself");
  s.ReadUnlock(idx);
}

TEST(LockOrderValidatorTest, PercpuRwSemReaderAgainstMutexInOppositeOrderIsReported) {
  LockOrderValidator v;
  sync::SingleTaskRuntime rt(v);
  sync::PercpuRwSemaphore hotplug(kHotplug);
  Mutex l(kL);
  hotplug.DownRead();  // cpus_read_lock: a non-recursive reader
  l.Lock();
  l.Unlock();
  hotplug.UpRead();
  EXPECT_FALSE(v.has_finding());
  l.Lock();
  hotplug.DownRead();  // blocks behind a pending hotplug writer: a real deadlock
  ASSERT_TRUE(v.has_finding());
  EXPECT_EQ(v.finding()->kind, FindingKind::kLockOrderCycle);
  EXPECT_EQ(CycleClasses(*v.finding()), (std::vector<std::string>{"L", "cpu_hotplug_lock"}));
}

TEST(LockOrderValidatorTest, PercpuRwSemReaderInsideSrcuReaderIsCleanAlone) {
  LockOrderValidator v;
  sync::SingleTaskRuntime rt(v);
  sync::PercpuRwSemaphore hotplug(kHotplug);
  sync::Srcu s(kSrcu);
  Mutex l(kL);
  int idx = s.ReadLock();
  hotplug.DownRead();
  hotplug.UpRead();
  s.ReadUnlock(idx);
  hotplug.DownRead();
  l.Lock();
  l.Unlock();
  hotplug.UpRead();
  EXPECT_FALSE(v.has_finding());
  // ... until someone syncs S under L: S -> hotplug -> L -> S.
  l.Lock();
  s.Synchronize();
  ASSERT_TRUE(v.has_finding());
  EXPECT_EQ(v.finding()->cycle.size(), 3u);
}

TEST(LockOrderValidatorTest, PercpuRwSemReaderTakenTwiceIsRecursiveLocking) {
  LockOrderValidator v;
  sync::SingleTaskRuntime rt(v);
  sync::PercpuRwSemaphore hotplug(kHotplug);
  hotplug.DownRead();
  hotplug.DownRead();
  ASSERT_TRUE(v.has_finding());
  EXPECT_EQ(v.finding()->kind, FindingKind::kRecursiveLocking);
}

TEST(LockOrderValidatorTest, ReclaimToNotifierToLockIsClosedByAllocatingUnderTheLock) {
  LockOrderValidator v;
  sync::SingleTaskRuntime rt(v);
  sync::LockdepMap reclaim(kReclaim), notifier(kNotifier);
  Mutex l(kL);
  // fs_reclaim_acquire: the reclaim map, and the notifier map touched inside it.
  reclaim.Acquire();
  notifier.AcquireRelease();
  reclaim.Release();
  // An MMU-notifier invalidation whose callback takes L.
  notifier.Acquire();
  l.Lock();
  l.Unlock();
  notifier.Release();
  EXPECT_FALSE(v.has_finding());
  // A GFP_KERNEL allocation under L.
  l.Lock();
  reclaim.Acquire();
  ASSERT_TRUE(v.has_finding());
  const Finding& f = *v.finding();
  EXPECT_EQ(f.kind, FindingKind::kLockOrderCycle);
  EXPECT_EQ(CycleClasses(f),
            (std::vector<std::string>{"mmu_notifier_invalidate_range_start", "L", "fs_reclaim"}));
}

TEST(LockOrderValidatorTest, LockHeldAcrossNotifierMapThatTheCallbackTakesIsReported) {
  LockOrderValidator v;
  sync::SingleTaskRuntime rt(v);
  sync::LockdepMap notifier(kNotifier);
  Mutex l(kL);
  l.Lock();
  notifier.Acquire();  // L held across invalidate_range_start
  notifier.Release();
  l.Unlock();
  notifier.Acquire();
  l.Lock();  // the callback takes L
  ASSERT_TRUE(v.has_finding());
  EXPECT_EQ(CycleClasses(*v.finding()),
            (std::vector<std::string>{"mmu_notifier_invalidate_range_start", "L"}));
}

void SleepUnderSpin(sync::SpinLock& spin, Mutex& m) {
  HV_KERNEL_FUNCTION("kvm_gpc_check");
  spin.Lock(kSite1);
  m.Lock(kSite2);
}

TEST(LockOrderValidatorTest, MutexUnderSpinlockIsSleepInAtomicNamingTheSpinlock) {
  LockOrderValidator v;
  sync::SingleTaskRuntime rt(v);
  sync::SpinLock spin(kSpin, "vm0");
  Mutex m(kA);
  SleepUnderSpin(spin, m);
  ASSERT_TRUE(v.has_finding());
  const Finding& f = *v.finding();
  EXPECT_EQ(f.kind, FindingKind::kSleepInAtomic);
  EXPECT_EQ(f.title, "sleep-in-atomic in kvm_gpc_check");
  ASSERT_TRUE(f.acquiring.has_value());  // the acquisition that sleeps
  EXPECT_EQ(f.acquiring->lock_class, "A");
  EXPECT_EQ(f.headline, "t0 may sleep in lock(A) with spin held");
  EXPECT_EQ(f.site, "model/two.cc:22");
  EXPECT_EQ(f.frames, (std::vector<std::string>{"kvm_gpc_check"}));
  ASSERT_EQ(f.tasks.size(), 1u);
  ASSERT_EQ(f.tasks[0].held.size(), 1u);
  EXPECT_EQ(f.tasks[0].held[0].lock_class, "spin");
  EXPECT_EQ(f.Signature(), "sleep-in-atomic|A,spin|kvm_gpc_check");
}

TEST(LockOrderValidatorTest, SynchronizeSrcuUnderRwLockIsSleepInAtomic) {
  LockOrderValidator v;
  int calls = 0;
  v.set_on_finding([&] { ++calls; });
  sync::SingleTaskRuntime rt(v);
  sync::RwLock rw(kRwA);
  sync::Srcu s(kSrcu);
  rw.ReadLock();
  s.Synchronize(kSite3);
  ASSERT_TRUE(v.has_finding());
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(v.finding()->kind, FindingKind::kSleepInAtomic);
  EXPECT_EQ(v.finding()->headline, "t0 may sleep in synchronize_srcu(S) with rwA (read) held");
  rw.ReadUnlock();
}

TEST(LockOrderValidatorTest, MightSleepInInterruptIsSleepInAtomicAndMutexUnderMutexIsNot) {
  LockOrderValidator v;
  sync::SingleTaskRuntime rt(v);
  Mutex a(kA), b(kB);
  a.Lock();
  b.Lock();
  sync::MightSleep();
  EXPECT_FALSE(v.has_finding());
  b.Unlock();
  a.Unlock();
  rt.task().set_in_interrupt(true);
  sync::MightSleep(kSite3);
  ASSERT_TRUE(v.has_finding());
  EXPECT_EQ(v.finding()->kind, FindingKind::kSleepInAtomic);
  EXPECT_FALSE(v.finding()->acquiring.has_value());  // a bare might_sleep
  EXPECT_EQ(v.finding()->headline, "t0 may sleep at model/three.cc:33 in interrupt context");
  // The next acquisition elsewhere is not mistaken for the one that slept.
  rt.task().set_in_interrupt(false);
  a.Lock(kSite1);
  EXPECT_FALSE(v.finding()->acquiring.has_value());
  a.Unlock();
}

void LeakOnErrorPath(Mutex& outer, Mutex& leaked) {
  HV_KERNEL_FUNCTION("kvm_set_memslot");
  outer.Lock();
  leaked.Lock(kSite2);
  outer.Unlock();
}

TEST(LockOrderValidatorTest, LockHeldAtReturnNamesWhereTheLeakedLockWasTaken) {
  LockOrderValidator v;
  sync::SingleTaskRuntime rt(v);
  Mutex outer(kA), leaked(kB);
  sync::ReturnToUser("nothing held");
  EXPECT_FALSE(v.has_finding());
  LeakOnErrorPath(outer, leaked);
  sync::ReturnToUser("set_user_memory_region");
  ASSERT_TRUE(v.has_finding());
  const Finding& f = *v.finding();
  EXPECT_EQ(f.kind, FindingKind::kLockHeldAtReturn);
  EXPECT_EQ(f.title, "lock-held-at-return in kvm_set_memslot");
  EXPECT_EQ(f.headline, "t0 returns to user space from set_user_memory_region still holding B");
  EXPECT_EQ(f.Signature(), "lock-held-at-return|B|kvm_set_memslot");
  ASSERT_EQ(f.tasks.size(), 1u);
  ASSERT_EQ(f.tasks[0].held.size(), 1u);
  EXPECT_EQ(f.tasks[0].held[0].site, "model/two.cc:22");
  leaked.Unlock();
}

TEST(LockOrderValidatorTest, UnlockOfUnheldLockIsBadUnlock) {
  LockOrderValidator v;
  sync::SingleTaskRuntime rt(v);
  Mutex m(kA, "vm3");
  m.Unlock(kSite1);
  ASSERT_TRUE(v.has_finding());
  EXPECT_EQ(v.finding()->kind, FindingKind::kBadUnlock);
  EXPECT_EQ(v.finding()->title, "bad-unlock in model/one.cc:11");
  EXPECT_EQ(v.finding()->acquiring->lock_class, "A");
  EXPECT_EQ(v.finding()->acquiring->instance, "vm3");
  EXPECT_EQ(v.finding()->headline, "t0 releases A (vm3), which it does not hold");
}

TEST(LockOrderValidatorTest, FailedAssertHeldIsLockNotHeld) {
  LockOrderValidator v;
  sync::SingleTaskRuntime rt(v);
  Mutex m(kA);
  m.Lock();
  m.AssertHeld();
  m.Unlock();
  EXPECT_FALSE(v.has_finding());
  m.AssertHeld(kSite2);
  ASSERT_TRUE(v.has_finding());
  EXPECT_EQ(v.finding()->kind, FindingKind::kLockNotHeld);
  EXPECT_EQ(v.finding()->acquiring->lock_class, "A");
  EXPECT_EQ(v.finding()->headline, "t0 asserts that it holds A, and does not");
  EXPECT_EQ(v.finding()->site, "model/two.cc:22");
}

TEST(LockOrderValidatorTest, InvariantViolationKeepsTheInvariantName) {
  LockOrderValidator v;
  sync::SingleTaskRuntime rt(v);
  {
    HV_KERNEL_FUNCTION("kvm_gpc_check");
    sync::ReportInvariantViolation("gpc.valid_maps_pfn", "pfn 0x10 but memslot maps 0x11");
  }
  ASSERT_TRUE(v.has_finding());
  EXPECT_EQ(v.finding()->kind, FindingKind::kInvariantViolation);
  EXPECT_EQ(v.finding()->invariant, "gpc.valid_maps_pfn");
  EXPECT_EQ(v.finding()->title, "invariant-violation in kvm_gpc_check");
  EXPECT_EQ(v.finding()->headline, "pfn 0x10 but memslot maps 0x11");
  EXPECT_EQ(v.finding()->Signature(), "invariant-violation|gpc.valid_maps_pfn|kvm_gpc_check");
}

TEST(LockOrderValidatorTest, SameClassUnderItsHeldNestLockIsAllowed) {
  LockOrderValidator v;
  sync::SingleTaskRuntime rt(v);
  Mutex outer(kOuter), vcpu0(kVcpu), vcpu1(kVcpu);
  outer.Lock();
  vcpu0.LockNestLock(outer);
  vcpu1.LockNestLock(outer);
  vcpu1.Unlock();
  vcpu0.Unlock();
  outer.Unlock();
  EXPECT_FALSE(v.has_finding());
  EXPECT_EQ(v.dependencies().size(), 1u);  // outer -> vcpu; no vcpu -> vcpu
  // The annotation names a lock that is not held: no excuse.
  vcpu0.LockNestLock(outer);
  vcpu1.LockNestLock(outer);
  ASSERT_TRUE(v.has_finding());
  EXPECT_EQ(v.finding()->kind, FindingKind::kRecursiveLocking);
}

TEST(LockOrderValidatorTest, SameClassWithoutAnnotationIsRecursiveLocking) {
  LockOrderValidator v;
  sync::SingleTaskRuntime rt(v);
  Mutex vcpu0(kVcpu), vcpu1(kVcpu);
  vcpu0.Lock();
  vcpu1.Lock(kSite2);
  ASSERT_TRUE(v.has_finding());
  EXPECT_EQ(v.finding()->kind, FindingKind::kRecursiveLocking);
  EXPECT_EQ(v.finding()->title, "recursive-locking in model/two.cc:22");
  EXPECT_EQ(v.finding()->acquiring->lock_class, "vcpu");
  EXPECT_EQ(v.finding()->headline, "t0 takes vcpu while holding vcpu, with no subclass");
}

TEST(LockOrderValidatorTest, SameMutexTwiceIsRecursiveLockingBeforeItBlocks) {
  LockOrderValidator v;
  sync::SingleTaskRuntime rt(v);
  Mutex m(kA);
  m.Lock();
  EXPECT_THROW(m.Lock(), sync::TaskKilled);
  ASSERT_TRUE(v.has_finding());
  EXPECT_EQ(v.finding()->kind, FindingKind::kRecursiveLocking);
}

TEST(LockOrderValidatorTest, RwSemReadTwiceIsRecursiveLockingButRecursiveReadsAreNot) {
  LockOrderValidator v;
  sync::SingleTaskRuntime rt(v);
  sync::RwLock rw(kRwA);
  rt.task().set_in_interrupt(true);
  rw.ReadLock();
  rw.ReadLock();  // recursive read after read
  EXPECT_FALSE(v.has_finding());
  rw.ReadUnlock();
  rw.ReadUnlock();
  rt.task().set_in_interrupt(false);
  sync::RwSemaphore sem(kSemA);
  sem.DownRead();
  sem.DownRead();  // a non-recursive reader would queue behind a waiting writer
  ASSERT_TRUE(v.has_finding());
  EXPECT_EQ(v.finding()->kind, FindingKind::kRecursiveLocking);
}

TEST(LockOrderValidatorTest, SubclassesAreDistinctNodes) {
  LockOrderValidator v;
  sync::SingleTaskRuntime rt(v);
  Mutex src(kA), dst(kA);  // sev_lock_two_vms: SINGLE_DEPTH_NESTING
  src.Lock();
  dst.LockNested(1);
  dst.Unlock();
  src.Unlock();
  EXPECT_FALSE(v.has_finding());
  EXPECT_EQ(v.dependencies().size(), 1u);
  EXPECT_EQ(v.graph().TestOnlyLiveNodeCount(), 2);  // A/0 and A/1
  // The opposite nesting of the two subclasses is an ordinary ABBA.
  dst.LockNested(1);
  src.Lock();
  ASSERT_TRUE(v.has_finding());
  EXPECT_EQ(v.finding()->kind, FindingKind::kLockOrderCycle);
}

TEST(LockOrderValidatorTest, TrylockAddsNoEdgeToItselfButCountsAsHeld) {
  LockOrderValidator v;
  sync::SingleTaskRuntime rt(v);
  Mutex a(kA), b(kB);
  a.Lock();
  ASSERT_TRUE(b.TryLock());  // no A -> B
  b.Unlock();
  a.Unlock();
  EXPECT_TRUE(v.dependencies().empty());
  ASSERT_TRUE(b.TryLock());
  a.Lock();  // B (trylocked, held) -> A
  a.Unlock();
  b.Unlock();
  EXPECT_EQ(v.dependencies().size(), 1u);
  EXPECT_FALSE(v.has_finding());
  a.Lock();
  b.Lock();
  ASSERT_TRUE(v.has_finding());
  EXPECT_EQ(v.finding()->kind, FindingKind::kLockOrderCycle);
}

TEST(LockOrderValidatorTest, StopsAfterTheFirstFindingAndCallsBackOnce) {
  LockOrderValidator v;
  int calls = 0;
  v.set_on_finding([&] { ++calls; });
  sync::SingleTaskRuntime rt(v);
  Mutex a(kA), b(kB), c(kL);
  sync::SpinLock spin(kSpin);
  a.Lock();
  b.Lock();
  b.Unlock();
  a.Unlock();
  b.Lock();
  a.Lock();  // the finding
  ASSERT_EQ(calls, 1);
  size_t dependencies = v.dependencies().size();
  spin.Lock();
  c.Lock();  // sleep in atomic and a new dependency: both ignored
  c.Unlock();
  spin.Unlock();
  a.Unlock();
  sync::ReturnToUser("op");  // B still held: ignored
  b.Unlock();
  b.Unlock();  // bad unlock: ignored
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(v.finding()->kind, FindingKind::kLockOrderCycle);
  EXPECT_EQ(v.dependencies().size(), dependencies);
  v.ResetRun();  // a new run may find again
  EXPECT_FALSE(v.has_finding());
  b.Unlock();
  EXPECT_EQ(calls, 2);
  EXPECT_EQ(v.finding()->kind, FindingKind::kBadUnlock);
}

TEST(LockOrderValidatorTest, WarmGraphKeepsDependenciesAcrossRunsAndResetForgetsThem) {
  LockOrderValidator v;
  sync::SingleTaskRuntime rt(v);
  Mutex a(kA), b(kB);
  a.Lock();
  b.Lock();
  b.Unlock();
  a.Unlock();
  v.ResetRun();
  b.Lock();
  a.Lock();
  a.Unlock();
  b.Unlock();
  ASSERT_TRUE(v.has_finding());  // A -> B from the previous run, B -> A now
  EXPECT_EQ(v.finding()->kind, FindingKind::kLockOrderCycle);

  v.Reset();
  EXPECT_TRUE(v.dependencies().empty());
  EXPECT_EQ(v.TestOnlyChainCacheSize(), 0u);
  a.Lock();
  b.Lock();
  b.Unlock();
  a.Unlock();
  v.Reset();  // fuzzing: each execution on a fresh graph
  b.Lock();
  a.Lock();
  a.Unlock();
  b.Unlock();
  EXPECT_FALSE(v.has_finding());
}

TEST(LockOrderValidatorTest, WithoutLockdepOnlyInvariantsAndLeaksAreChecked) {
  LockOrderValidator v(LockOrderValidator::Options{.lockdep = false});
  sync::SingleTaskRuntime rt(v);
  Mutex a(kA), b(kB);
  sync::SpinLock spin(kSpin);
  a.Lock();
  b.Lock();
  b.Unlock();
  a.Unlock();
  b.Lock();
  a.Lock();  // ABBA
  a.Unlock();
  a.Unlock();      // bad unlock
  a.AssertHeld();  // not held
  spin.Lock();
  sync::MightSleep();  // sleep in atomic
  spin.Unlock();
  EXPECT_FALSE(v.has_finding());
  EXPECT_EQ(v.graph().TestOnlyEdgeCount(), 0);
  sync::ReturnToUser("op");  // B is still held
  ASSERT_TRUE(v.has_finding());
  EXPECT_EQ(v.finding()->kind, FindingKind::kLockHeldAtReturn);
  b.Unlock();
}

// ---- Two tasks, driven through the observer API ------------------------------------------

class LockOrderValidatorTwoTaskTest : public testing::Test {
 protected:
  // Announces `lock` (mode) for `task` at `site`, then holds it, as a primitive would.
  void Acquire(sync::Task& task, const sync::LockBase& lock, AcquireMode mode, Site site) {
    sync::HeldLock h;
    h.lock = &lock;
    h.mode = mode;
    h.site = site;
    v_.OnAcquire(task, h);
    h.step = task.step();
    task.held().Push(h);
  }
  void Release(sync::Task& task, const sync::LockBase& lock) { task.held().Remove(&lock); }

  LockOrderValidator v_;
  sync::SingleTaskRuntime rt_{v_};  // the tasks' runtime; never waits here
  sync::Task t0_{0, "vcpu0", rt_, v_};
  sync::Task t1_{1, "vcpu1", rt_, v_};
};

TEST_F(LockOrderValidatorTwoTaskTest, ReportsAbbaAcrossTasksWithEachTasksStep) {
  Mutex a(kA), b(kB);
  t0_.set_step(3);
  Acquire(t0_, a, AcquireMode::kExclusive, kSite1);
  Acquire(t0_, b, AcquireMode::kExclusive, kSite2);
  t1_.set_step(4);
  Acquire(t1_, b, AcquireMode::kExclusive, kSite2);
  Acquire(t1_, a, AcquireMode::kExclusive, kSite3);
  ASSERT_TRUE(v_.has_finding());
  const Finding& f = *v_.finding();
  EXPECT_EQ(f.kind, FindingKind::kLockOrderCycle);
  EXPECT_EQ(f.task, 1);
  EXPECT_EQ(f.task_name, "vcpu1");
  ASSERT_EQ(f.cycle.size(), 2u);
  EXPECT_EQ(f.cycle[0].task, 0);
  EXPECT_EQ(f.cycle[0].task_name, "vcpu0");
  EXPECT_EQ(f.cycle[0].step, 3u);
  EXPECT_EQ(f.cycle[1].task, 1);
  EXPECT_EQ(f.cycle[1].step, 4u);
  EXPECT_EQ(f.cycle[1].to.site, "model/three.cc:33");
}

TEST_F(LockOrderValidatorTwoTaskTest, IgnoresRecursiveReadersOfTwoTasksInOppositeOrder) {
  sync::RwLock ra(kRwA), rb(kRwB);
  Acquire(t0_, ra, AcquireMode::kRecursiveRead, kSite1);
  Acquire(t0_, rb, AcquireMode::kRecursiveRead, kSite2);
  Acquire(t1_, rb, AcquireMode::kRecursiveRead, kSite2);
  Acquire(t1_, ra, AcquireMode::kRecursiveRead, kSite1);
  EXPECT_FALSE(v_.has_finding());
  EXPECT_EQ(v_.dependencies().size(), 2u);
  // A writer nesting the other way makes it a deadlock: t1 write_lock(rwB), write_lock(rwA)
  // waits for t0's reader of rwA, which waits for t1's writer of rwB.
  Release(t1_, ra);
  Release(t1_, rb);
  Acquire(t1_, rb, AcquireMode::kExclusive, kSite2);
  Acquire(t1_, ra, AcquireMode::kExclusive, kSite3);
  ASSERT_TRUE(v_.has_finding());
  EXPECT_EQ(v_.finding()->kind, FindingKind::kLockOrderCycle);
}

TEST_F(LockOrderValidatorTwoTaskTest, ReportsSrcuSyncUnderLockAgainstReaderTakingTheLock) {
  Mutex l(kL);
  sync::Srcu s(kSrcu);
  Acquire(t1_, s, AcquireMode::kRecursiveRead, kSite1);  // vcpu_run's read section
  Acquire(t0_, l, AcquireMode::kExclusive, kSite2);
  sync::HeldLock sync_point;
  sync_point.lock = &s;
  sync_point.site = kSite3;
  v_.OnSync(t0_, sync_point);  // synchronize_srcu under L: L -> S
  EXPECT_FALSE(v_.has_finding());
  Acquire(t1_, l, AcquireMode::kExclusive, kSite2);  // S -> L
  ASSERT_TRUE(v_.has_finding());
  EXPECT_EQ(v_.finding()->task, 1);
  EXPECT_EQ(v_.finding()->cycle[0].task, 0);
  EXPECT_EQ(v_.finding()->cycle[0].to.site, "model/three.cc:33");
}

}  // namespace
}  // namespace hvfuzz::check
