// SPDX-License-Identifier: Apache-2.0
// Finding names and the signature: equal across task ids, labels, steps and cycle rotations;
// different across kinds, classes and functions.
#include "fuzz/check/finding.h"

#include <set>
#include <string>

#include "gtest/gtest.h"
#include "model/sync/mutex.h"
#include "model/sync/single_task_runtime.h"

namespace hvfuzz::check {
namespace {

constexpr FindingKind kAllKinds[] = {
    FindingKind::kDeadlock,      FindingKind::kLockOrderCycle,     FindingKind::kRecursiveLocking,
    FindingKind::kSleepInAtomic, FindingKind::kLockHeldAtReturn,   FindingKind::kBadUnlock,
    FindingKind::kLockNotHeld,   FindingKind::kInvariantViolation, FindingKind::kStepBudget,
    FindingKind::kWatchdogHang,
};

LockRef Lock(std::string cls, std::string instance = "vm0",
             sync::LockKind kind = sync::LockKind::kMutex,
             sync::AcquireMode mode = sync::AcquireMode::kExclusive) {
  return LockRef{std::move(cls), std::move(instance), kind, mode, "model/x.cc:1", {"f"}};
}

Dependency Edge(std::string from, std::string to, int task, uint64_t step) {
  return Dependency{Lock(std::move(from)), Lock(std::move(to)), task, "t", step};
}

Finding Cycle(std::vector<Dependency> cycle, std::string function = "kvm_xen_set_evtchn") {
  Finding f;
  f.kind = FindingKind::kLockOrderCycle;
  f.title = FindingTitle(f.kind, function);
  f.cycle = std::move(cycle);
  return f;
}

TEST(FindingKindTest, NamesRoundTripAndPrefixesAreDistinct) {
  std::set<std::string_view> prefixes;
  for (FindingKind k : kAllKinds) {
    EXPECT_EQ(FindingKindFromName(FindingKindName(k)), k);
    std::string_view prefix = FindingArtifactPrefix(k);
    EXPECT_EQ(prefix.back(), '-');
    EXPECT_TRUE(prefixes.insert(prefix).second) << prefix;
  }
  EXPECT_EQ(FindingKindName(FindingKind::kLockOrderCycle), "lock-order-cycle");
  EXPECT_EQ(FindingArtifactPrefix(FindingKind::kDeadlock), "deadlock-");
  EXPECT_EQ(FindingArtifactPrefix(FindingKind::kLockOrderCycle), "lockorder-");
  EXPECT_FALSE(FindingKindFromName("possible circular locking dependency").has_value());
}

TEST(FindingKindTest, TitleIsKindInFunction) {
  EXPECT_EQ(FindingTitle(FindingKind::kDeadlock, "kvm_set_memslot"), "deadlock in kvm_set_memslot");
  EXPECT_EQ(FindingTitle(FindingKind::kStepBudget, ""), "step-budget in ?");
}

TEST(FindingVerbTest, SpellsKernelCalls) {
  using sync::AcquireMode;
  using sync::LockKind;
  EXPECT_EQ(AcquireVerb(LockKind::kMutex, AcquireMode::kExclusive), "lock");
  EXPECT_EQ(AcquireVerb(LockKind::kSpinLock, AcquireMode::kExclusive), "spin_lock");
  EXPECT_EQ(AcquireVerb(LockKind::kRwLock, AcquireMode::kRead), "read_lock");
  EXPECT_EQ(AcquireVerb(LockKind::kRwLock, AcquireMode::kRecursiveRead), "read_lock");
  EXPECT_EQ(AcquireVerb(LockKind::kRwSemaphore, AcquireMode::kRead), "down_read");
  EXPECT_EQ(AcquireVerb(LockKind::kRwSemaphore, AcquireMode::kExclusive, true),
            "down_write_trylock");
  EXPECT_EQ(AcquireVerb(LockKind::kPercpuRwSem, AcquireMode::kRead), "percpu_down_read");
  EXPECT_EQ(AcquireVerb(LockKind::kSrcu, AcquireMode::kRecursiveRead), "srcu_read_lock");
  EXPECT_EQ(AcquireVerb(LockKind::kSrcu, AcquireMode::kExclusive), "synchronize_srcu");
  EXPECT_EQ(AcquireVerb(LockKind::kLockdepMap, AcquireMode::kRecursiveRead),
            "lock_map_acquire_read");
  EXPECT_EQ(ReleaseVerb(LockKind::kRwSemaphore, AcquireMode::kRead), "up_read");
  EXPECT_EQ(ReleaseVerb(LockKind::kSrcu, AcquireMode::kRecursiveRead), "srcu_read_unlock");
  EXPECT_EQ(Lock("&kvm->srcu", "", LockKind::kSrcu, AcquireMode::kRecursiveRead).Action(),
            "srcu_read_lock(&kvm->srcu)");
}

TEST(FindingLockRefTest, FromHeldCopiesClassLabelModeSiteAndFrames) {
  static const sync::LockClass kClass{"&kvm->slots_lock", sync::LockKind::kMutex};
  sync::SyncObserver observer;
  sync::SingleTaskRuntime rt(observer);
  sync::Mutex m(kClass, "vm3");
  {
    HV_KERNEL_FUNCTION("kvm_vm_ioctl_set_memory_region");
    HV_KERNEL_FUNCTION("kvm_set_memory_region");
    m.Lock(sync::Site{"model/memslots.cc", 41});
  }
  LockRef ref = LockRef::FromHeld(rt.task().held().at(0));
  EXPECT_EQ(ref.lock_class, "&kvm->slots_lock");
  EXPECT_EQ(ref.instance, "vm3");
  EXPECT_EQ(ref.kind, sync::LockKind::kMutex);
  EXPECT_EQ(ref.mode, sync::AcquireMode::kExclusive);
  EXPECT_EQ(ref.site, "model/memslots.cc:41");
  EXPECT_EQ(ref.frames,
            (std::vector<std::string>{"kvm_set_memory_region", "kvm_vm_ioctl_set_memory_region"}));
  m.Unlock();
  EXPECT_EQ(FormatSite(sync::Site{}), "");
}

TEST(FindingSignatureTest, CycleIgnoresRotationTaskIdsLabelsAndSteps) {
  Finding a =
      Cycle({Edge("&kvm->srcu", "&kvm->lock", 1, 17), Edge("&kvm->lock", "&kvm->srcu", 0, 9)});
  Finding b =
      Cycle({Edge("&kvm->lock", "&kvm->srcu", 5, 300), Edge("&kvm->srcu", "&kvm->lock", 2, 2)});
  b.cycle[0].from.instance = "vm7";
  b.headline = "t5 and t2 ...";
  b.task = 5;
  EXPECT_EQ(a.Signature(), b.Signature());
  EXPECT_EQ(a.Signature(), "lock-order-cycle|&kvm->lock,&kvm->srcu|");
}

TEST(FindingSignatureTest, ThreeCycleStartsAtSmallestNameAndKeepsDirection) {
  Finding a = Cycle({Edge("c", "a", 0, 1), Edge("a", "b", 1, 2), Edge("b", "c", 2, 3)});
  Finding reversed = Cycle({Edge("a", "c", 0, 1), Edge("c", "b", 1, 2), Edge("b", "a", 2, 3)});
  EXPECT_EQ(a.Signature(), "lock-order-cycle|a,b,c|");
  EXPECT_NE(a.Signature(), reversed.Signature());
}

TEST(FindingSignatureTest, DiffersAcrossKindsAndClassesNotTheClosingFunction) {
  Finding base = Cycle({Edge("a", "b", 0, 1), Edge("b", "a", 1, 2)});
  Finding other_kind = base;
  other_kind.kind = FindingKind::kDeadlock;
  other_kind.title = FindingTitle(other_kind.kind, "kvm_xen_set_evtchn");
  Finding other_class = Cycle({Edge("a", "c", 0, 1), Edge("c", "a", 1, 2)});
  std::set<std::string> sigs = {base.Signature(), other_kind.Signature(), other_class.Signature()};
  EXPECT_EQ(sigs.size(), 3u);
  // The same cycle closed in another function (another interleaving) is the same bug.
  Finding other_function = Cycle({Edge("a", "b", 0, 1), Edge("b", "a", 1, 2)}, "kvm_gpc_refresh");
  EXPECT_EQ(other_function.Signature(), base.Signature());
}

TEST(FindingSignatureTest, SleepInAtomicUsesAcquiringAndSpinningHeldClassesOnly) {
  Finding f;
  f.kind = FindingKind::kSleepInAtomic;
  f.title = FindingTitle(f.kind, "kvm_gpc_refresh");
  f.task = 3;
  f.acquiring = Lock("&gpc->refresh_lock");
  TaskSnapshot t;
  t.task = 3;
  t.held = {Lock("&vcpu->mutex", "vcpu0"),
            Lock("&gpc->lock", "gpc1", sync::LockKind::kRwLock, sync::AcquireMode::kRead)};
  f.tasks = {t};
  EXPECT_EQ(f.Signature(), "sleep-in-atomic|&gpc->refresh_lock,&gpc->lock|kvm_gpc_refresh");
  f.task = 0;  // another task id with the same state
  f.tasks[0].task = 0;
  f.tasks[0].held.erase(f.tasks[0].held.begin());  // unrelated sleeping lock not held
  EXPECT_EQ(f.Signature(), "sleep-in-atomic|&gpc->refresh_lock,&gpc->lock|kvm_gpc_refresh");
}

TEST(FindingSignatureTest, LeakSortsHeldClassesAndInvariantUsesItsName) {
  Finding leak;
  leak.kind = FindingKind::kLockHeldAtReturn;
  leak.title = FindingTitle(leak.kind, "kvm_set_memslot");
  leak.task = 0;
  TaskSnapshot t;
  t.task = 0;
  t.held = {Lock("&kvm->slots_lock"), Lock("&kvm->slots_arch_lock")};
  leak.tasks = {t};
  EXPECT_EQ(leak.Signature(),
            "lock-held-at-return|&kvm->slots_arch_lock,&kvm->slots_lock|kvm_set_memslot");

  Finding inv;
  inv.kind = FindingKind::kInvariantViolation;
  inv.title = FindingTitle(inv.kind, "kvm_gpc_check");
  inv.invariant = "gpc.valid_implies_khva_mapped";
  inv.headline = "gpc1 is valid but khva 0x7f00 was unmapped at step 12";
  EXPECT_EQ(inv.Signature(), "invariant-violation|gpc.valid_implies_khva_mapped|kvm_gpc_check");
}

TEST(FindingSignatureTest, DeadlockWithoutCycleUsesWaitedClasses) {
  Finding f;
  f.kind = FindingKind::kDeadlock;
  f.title = FindingTitle(f.kind, "kvm_set_memslot");
  TaskSnapshot a;
  a.task = 1;
  a.waiting_for = Lock("&kvm->slots_arch_lock", "vm0");
  TaskSnapshot b;
  b.task = 2;
  b.waiting_for = Lock("&kvm->slots_arch_lock", "vm1");
  TaskSnapshot done;
  done.task = 0;
  done.finished = true;
  f.tasks = {done, b, a};
  EXPECT_EQ(f.Signature(), "deadlock|&kvm->slots_arch_lock|kvm_set_memslot");
}

}  // namespace
}  // namespace hvfuzz::check
