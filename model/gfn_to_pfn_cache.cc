// SPDX-License-Identifier: Apache-2.0
// gfn_to_pfn cache, following virt/kvm/pfncache.c as of 6addfcf27139 (v6.9+; docs C.5):
//   activate:   refresh_lock; if inactive: list_add under gpc_lock, then active = true under
//               gpc->lock; __kvm_gpc_refresh.
//   refresh:    refresh_lock; __kvm_gpc_refresh: under gpc->lock recompute gpa->uhva when the
//               memslot generation changed; if invalid or the uhva moved, hva_to_pfn_retry
//               (drops gpc->lock to sleep, retries against the notifier sequence); unmap the old
//               khva after dropping gpc->lock.
//   deactivate: refresh_lock; clear active/valid/pfn/khva under gpc->lock, list_del, unmap.
#include "model/gfn_to_pfn_cache.h"

#include <cerrno>

#include "model/host_memory.h"
#include "model/kvm.h"
#include "model/kvm_global.h"
#include "model/lock_classes.h"
#include "model/memslots.h"
#include "model/sync/kernel_context.h"
#include "model/sync/task.h"
#include "model/sync/wait_event.h"

namespace hvfuzz::model {

GfnToPfnCache::GfnToPfnCache(Kvm& kvm, const std::string& label)
    : lock(lock_classes::kGpcLock, label),
      refresh_lock(lock_classes::kGpcRefreshLock, label),
      kvm_(&kvm) {}

bool GpcActiveHint(const GfnToPfnCache& gpc) HV_NO_THREAD_SAFETY_ANALYSIS { return gpc.active; }

void GfnToPfnCache::Init() HV_NO_THREAD_SAFETY_ANALYSIS {
  generation = 0;
  gpa = ~0u;
  uhva = kBadHva;
  memslot = nullptr;
  pfn = kNoPfn;
  khva = kNoKhva;
  active = false;
  valid = false;
}

namespace {

// Fields upstream reads without gpc->lock: under refresh_lock, which excludes every writer of
// them (activate/refresh/deactivate all hold it) — unless a bug switch removed it.
bool ActiveUnlocked(const GfnToPfnCache& gpc) HV_NO_THREAD_SAFETY_ANALYSIS { return gpc.active; }
bool ValidUnlocked(const GfnToPfnCache& gpc) HV_NO_THREAD_SAFETY_ANALYSIS { return gpc.valid; }
uint32_t PfnUnlocked(const GfnToPfnCache& gpc) HV_NO_THREAD_SAFETY_ANALYSIS { return gpc.pfn; }
uint32_t GpaUnlocked(const GfnToPfnCache& gpc) HV_NO_THREAD_SAFETY_ANALYSIS { return gpc.gpa; }

// mmu_notifier_retry_cache(): mn_active_invalidate_count rather than
// mmu_invalidate_in_progress, because caches are invalidated before the latter is raised.
bool MmuNotifierRetryCache(Kvm& kvm, uint64_t mmu_seq) {
  if (kvm.mn_active_invalidate_count.load(std::memory_order_acquire) != 0) return true;
  return kvm.mmu_invalidate_seq.load(std::memory_order_acquire) != mmu_seq;
}

void GpcUnmap(World& world, uint32_t pfn, uint32_t khva) {
  if (pfn == kNoPfn || khva == kNoKhva) return;
  world.global().memory.Kunmap(khva);
}

// What upstream assumes of every valid cache, checked where a cache becomes valid (the
// detector docs D.4b names) rather than only where a later kvm_gpc_activate (its KVM_BUG_ON)
// or consumer trips over it: the cache is still active — an inactive one is off gpc_list, so
// no invalidation would ever clear `valid` again — and its khva is mapped. Both hold whenever
// refresh_lock serializes refresh against activate and deactivate.
void CheckBecomingValid(World& world, const GfnToPfnCache& gpc, uint32_t khva)
    HV_REQUIRES(gpc.lock) {
  if (!gpc.active) {
    sync::ReportInvariantViolation("gpc-valid-while-inactive",
                                   "hva_to_pfn_retry makes valid a cache that was deactivated "
                                   "while it had dropped gpc->lock (off gpc_list: no "
                                   "invalidation will reach it)");
  } else if (!world.global().memory.IsLive(khva)) {
    sync::ReportInvariantViolation("gpc-valid-khva-unmapped",
                                   "hva_to_pfn_retry makes the cache valid with a kernel "
                                   "mapping that was already unmapped");
  }
}

// hva_to_pfn_retry(): entered and left with gpc->lock held for write.
int HvaToPfnRetry(World& world, GfnToPfnCache& gpc) HV_REQUIRES(gpc.lock) {
  HV_KERNEL_FUNCTION("hva_to_pfn_retry");
  Kvm& kvm = gpc.kvm();
  if (!world.bugs().gpc_refresh_race) gpc.refresh_lock.AssertHeld();
  gpc.lock.AssertHeld();
  uint32_t old_khva = gpc.khva;
  uint32_t uhva = gpc.uhva;
  uint32_t new_pfn = kNoPfn;
  uint32_t new_khva = kNoKhva;
  // Invalidate before dropping gpc->lock: the gpa/uhva/generation are already updated, so a
  // concurrent check() must fail on `valid`.
  gpc.valid = false;
  uint64_t mmu_seq;
  do {
    mmu_seq = kvm.mmu_invalidate_seq.load(std::memory_order_acquire);
    gpc.lock.WriteUnlockIrq();
    // The previous iteration lost to an invalidation: drop its mapping (unless it reused the
    // cache's own), outside gpc->lock because unmapping may sleep.
    if (new_pfn != kNoPfn) {
      if (new_khva != old_khva) GpcUnmap(world, new_pfn, new_khva);
      sync::CondResched();
    }
    new_pfn = HvaToPfn(world, kvm, uhva);
    if (new_pfn == kNoPfn) {
      gpc.lock.WriteLockIrq();
      return -EFAULT;
    }
    // kmap/memremap may sleep: done without gpc->lock. An unchanged pfn keeps the old mapping.
    new_khva = new_pfn == PfnUnlocked(gpc) ? old_khva : world.global().memory.Kmap(new_pfn);
    if (new_khva == kNoKhva) {
      gpc.lock.WriteLockIrq();
      return -EFAULT;
    }
    gpc.lock.WriteLockIrq();
    // WARN_ON_ONCE(gpc->valid): other tasks must wait for this refresh to complete.
    if (gpc.valid) {
      sync::ReportInvariantViolation("gpc-valid-during-refresh",
                                     "another task made the cache valid while hva_to_pfn_retry "
                                     "had dropped gpc->lock");
    }
  } while (MmuNotifierRetryCache(kvm, mmu_seq));
  CheckBecomingValid(world, gpc, new_khva);
  gpc.valid = true;
  gpc.pfn = new_pfn;
  gpc.khva = new_khva;
  return 0;
}

// __kvm_gpc_refresh(): caller holds refresh_lock (and kvm->srcu for the memslots).
int GpcRefreshLocked(World& world, GfnToPfnCache& gpc, uint32_t gfn) {
  HV_KERNEL_FUNCTION("__kvm_gpc_refresh");
  if (!world.bugs().gpc_refresh_race) gpc.refresh_lock.AssertHeld();
  gpc.lock.WriteLockIrq();
  if (!gpc.active) {
    gpc.lock.WriteUnlockIrq();
    return -EINVAL;
  }
  uint32_t old_pfn = gpc.pfn;
  uint32_t old_khva = gpc.khva;
  uint32_t old_uhva = gpc.uhva;
  bool hva_change = false;
  int ret = 0;
  const MemslotSet& slots = KvmMemslots(gpc.kvm());
  if (gpc.gpa != gfn || gpc.generation != slots.generation || gpc.uhva == kBadHva) {
    gpc.gpa = gfn;
    gpc.generation = slots.generation;
    gpc.memslot = FindMemslotByGfn(slots, gfn);
    gpc.uhva = GfnToHva(gpc.memslot, gfn);
    if (gpc.uhva == kBadHva) ret = -EFAULT;
    hva_change = gpc.uhva != old_uhva;
  }
  if (ret == 0) {
    if (gpc.valid && !hva_change) {
      gpc.khva = old_khva;  // still valid: keep the mapping (page offset fix-up only)
      gpc.lock.WriteUnlockIrq();
      return 0;
    }
    ret = HvaToPfnRetry(world, gpc);
  }
  if (ret != 0) {
    gpc.valid = false;
    gpc.pfn = kNoPfn;
    gpc.khva = kNoKhva;
  }
  // Detect a pfn change before dropping the lock: after it, gpc->pfn may change again.
  bool unmap_old = old_pfn != gpc.pfn;
  gpc.lock.WriteUnlockIrq();
  if (unmap_old) GpcUnmap(world, old_pfn, old_khva);
  return ret;
}

}  // namespace

int GpcActivate(World& world, GfnToPfnCache& gpc, uint32_t gfn) HV_NO_THREAD_SAFETY_ANALYSIS {
  HV_KERNEL_FUNCTION("kvm_gpc_activate");
  Kvm& kvm = gpc.kvm();
  sync::MutexGuard guard(gpc.refresh_lock);
  if (!ActiveUnlocked(gpc)) {
    if (KvmBugOn(kvm, ValidUnlocked(gpc), "gpc-valid-while-inactive",
                 "kvm_gpc_activate found an inactive cache marked valid")) {
      return -EIO;
    }
    kvm.gpc_lock.Lock();
    kvm.gpc_list.push_back(&gpc);
    kvm.gpc_lock.Unlock();
    // Activate only after the cache is on gpc_list: a refresh must not establish a mapping
    // until MMU-notifier invalidations can reach the cache.
    gpc.lock.WriteLockIrq();
    gpc.active = true;
    gpc.lock.WriteUnlockIrq();
  }
  return GpcRefreshLocked(world, gpc, gfn);
}

int GpcRefresh(World& world, GfnToPfnCache& gpc) HV_NO_THREAD_SAFETY_ANALYSIS {
  HV_KERNEL_FUNCTION("kvm_gpc_refresh");
  if (world.bugs().gpc_refresh_race) {
    // Bug switch gpc-refresh-race (docs D.4a): 982ed0de4753 "KVM: Reinstate gfn_to_pfn_cache
    // with invalidation support" refreshed without any mutex; fixed by 93984f19e7bc "KVM: Fully
    // serialize gfn=>pfn cache refresh via mutex". Two refreshers then interleave while
    // hva_to_pfn_retry has dropped gpc->lock.
    return GpcRefreshLocked(world, gpc, GpaUnlocked(gpc));
  }
  sync::MutexGuard guard(gpc.refresh_lock);
  return GpcRefreshLocked(world, gpc, GpaUnlocked(gpc));
}

bool GpcCheck(GfnToPfnCache& gpc) {
  const MemslotSet& slots = KvmMemslots(gpc.kvm());
  if (!gpc.active) return false;
  if (gpc.gpa != ~0u && gpc.generation != slots.generation) return false;
  if (gpc.uhva == kBadHva) return false;
  return gpc.valid;
}

void GpcDeactivate(World& world, GfnToPfnCache& gpc) HV_NO_THREAD_SAFETY_ANALYSIS {
  HV_KERNEL_FUNCTION("kvm_gpc_deactivate");
  Kvm& kvm = gpc.kvm();
  bool take_refresh_lock = !world.bugs().gpc_deactivate_race;
  // Bug switch gpc-deactivate-race (docs D.4b): before 6addfcf27139 "KVM: pfncache: simplify
  // locking and make more self-contained" (v6.9), deactivate did not take refresh_lock, so a
  // refresh that had dropped gpc->lock could reinstall the khva unmapped below.
  if (take_refresh_lock) gpc.refresh_lock.Lock();
  if (ActiveUnlocked(gpc)) {
    // Deactivate before removing from the list: until gpc->lock is dropped and refresh is
    // guaranteed to fail, the cache must still see MMU-notifier invalidations.
    gpc.lock.WriteLockIrq();
    gpc.active = false;
    gpc.valid = false;
    uint32_t old_khva = gpc.khva;
    uint32_t old_pfn = gpc.pfn;
    gpc.khva = kNoKhva;
    gpc.pfn = kNoPfn;
    gpc.lock.WriteUnlockIrq();
    kvm.gpc_lock.Lock();
    std::erase(kvm.gpc_list, &gpc);
    kvm.gpc_lock.Unlock();
    GpcUnmap(world, old_pfn, old_khva);
  }
  if (take_refresh_lock) gpc.refresh_lock.Unlock();
}

void GpcUseKhva(World& world, GfnToPfnCache& gpc, const char* user) {
  HostMemory& memory = world.global().memory;
  (void)user;
  if (!memory.IsLive(gpc.khva)) {
    sync::ReportInvariantViolation("gpc-valid-khva-unmapped",
                                   "a cache that passed kvm_gpc_check dereferences a kernel "
                                   "mapping that was already unmapped");
    return;
  }
  uint32_t now = gpc.kvm().mm.Pte(gpc.uhva);
  if (memory.PfnOf(gpc.khva) != now || gpc.pfn != now) {
    sync::ReportInvariantViolation("gpc-valid-wrong-pfn",
                                   "a cache that passed kvm_gpc_check maps a page its uhva no "
                                   "longer translates to");
  }
}

int GpcReadAndUse(World& world, GfnToPfnCache& gpc, bool atomic, const char* user)
    HV_NO_THREAD_SAFETY_ANALYSIS {
  if (atomic) {
    if (!gpc.lock.ReadTrylockIrq()) return -EWOULDBLOCK;
  } else {
    gpc.lock.ReadLockIrq();
  }
  while (!GpcCheck(gpc)) {
    gpc.lock.ReadUnlockIrq();
    if (atomic) return -EWOULDBLOCK;
    int r = GpcRefresh(world, gpc);
    if (r != 0) return r;
    gpc.lock.ReadLockIrq();
  }
  GpcUseKhva(world, gpc, user);
  gpc.lock.ReadUnlockIrq();
  return 0;
}

namespace {

void InvalidateOne(GfnToPfnCache& gpc, uint32_t start, uint32_t end) HV_NO_THREAD_SAFETY_ANALYSIS {
  // Check under the read lock first (9fa336e343b2); re-check under the write lock, since the
  // cache may have changed in between.
  gpc.lock.ReadLockIrq();
  bool hit = gpc.valid && gpc.pfn != kNoPfn && gpc.uhva >= start && gpc.uhva < end;
  gpc.lock.ReadUnlockIrq();
  if (!hit) return;
  gpc.lock.WriteLockIrq();
  if (gpc.valid && gpc.pfn != kNoPfn && gpc.uhva >= start && gpc.uhva < end) gpc.valid = false;
  gpc.lock.WriteUnlockIrq();
}

}  // namespace

void GpcInvalidateStart(Kvm& kvm, uint32_t hva_start, uint32_t hva_end) {
  HV_KERNEL_FUNCTION("gfn_to_pfn_cache_invalidate_start");
  kvm.gpc_lock.Lock();
  // Only caches on gpc_list: a cache being initialized or deactivated is not reachable.
  for (GfnToPfnCache* gpc : kvm.gpc_list) InvalidateOne(*gpc, hva_start, hva_end);
  kvm.gpc_lock.Unlock();
}

}  // namespace hvfuzz::model
