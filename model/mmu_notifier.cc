// SPDX-License-Identifier: Apache-2.0
// KVM's MMU-notifier callbacks, following kvm_mmu_notifier_invalidate_range_start/_end and
// __kvm_handle_hva_range in virt/kvm/kvm_main.c (docs/kvm-locking.md C.2).
#include "model/mmu_notifier.h"

#include "model/gfn_to_pfn_cache.h"
#include "model/kvm.h"
#include "model/memslots.h"
#include "model/sync/kernel_context.h"
#include "model/sync/task.h"

namespace hvfuzz::model {
namespace {

enum class OnLock : uint8_t { kNone, kInvalidateBegin, kInvalidateEnd };

struct HvaRange {
  uint32_t start;
  uint32_t end;
  OnLock on_lock;
  bool unmap;         // handler = kvm_mmu_unmap_gfn_range (else a null handler or aging)
  bool age;           // handler = kvm_age_gfn
};

// __kvm_handle_hva_range(): returns whether any memslot overlapped the range.
// mmu_lock is taken only when a memslot overlaps: conditional locking the analysis cannot
// follow.
bool HandleHvaRange(Kvm& kvm, const HvaRange& range) HV_NO_THREAD_SAFETY_ANALYSIS {
  HV_KERNEL_FUNCTION("__kvm_handle_hva_range");
  bool found = false;
  bool flush = false;
  int idx = kvm.srcu.ReadLock();
  const MemslotSet& slots = KvmMemslots(kvm);
  for (const Memslot* slot : slots.slots) {
    if (slot == nullptr) continue;
    uint32_t lo = slot->userspace_addr > range.start ? slot->userspace_addr : range.start;
    uint32_t slot_end = slot->userspace_addr + slot->npages;
    uint32_t hi = slot_end < range.end ? slot_end : range.end;
    if (lo >= hi) continue;
    uint32_t gfn_start = slot->base_gfn + (lo - slot->userspace_addr);
    uint32_t gfn_end = slot->base_gfn + (hi - slot->userspace_addr);
    if (!found) {
      found = true;
      // KVM_MMU_LOCK on the first overlapping slot only; on_lock runs under it.
      kvm.mmu_lock.WriteLock();
      if (range.on_lock == OnLock::kInvalidateBegin) KvmMmuInvalidateBegin(kvm);
      if (range.on_lock == OnLock::kInvalidateEnd) {
        KvmMmuInvalidateEnd(kvm);
        break;  // null handler: goto mmu_unlock
      }
    }
    if (range.unmap) {
      // kvm_mmu_unmap_gfn_range(): record the range first, so that a fault that takes
      // mmu_lock after us retries (mmu_invalidate_retry_gfn) instead of reinstalling.
      KvmMmuInvalidateRangeAdd(kvm, gfn_start, gfn_end);
      flush |= ZapSptes(kvm, gfn_start, gfn_end);
    }
    if (range.age) flush = true;
  }
  (void)flush;  // kvm_flush_remote_tlbs(): IPIs, no lock
  if (found) kvm.mmu_lock.WriteUnlock();
  kvm.srcu.ReadUnlock(idx);
  return found;
}

}  // namespace

void KvmMmuInvalidateBegin(Kvm& kvm) {
  kvm.mmu_lock.AssertHeld();
  // The count increase becomes visible at unlock: no SPTE is installed without mmu_lock, and
  // the fault path reads the count under it.
  kvm.mmu_invalidate_in_progress++;
  if (kvm.mmu_invalidate_in_progress == 1) {
    kvm.mmu_invalidate_range_start = ~0u;
    kvm.mmu_invalidate_range_end = ~0u;
  }
}

void KvmMmuInvalidateRangeAdd(Kvm& kvm, uint32_t gfn_start, uint32_t gfn_end) {
  kvm.mmu_lock.AssertHeld();
  if (kvm.mmu_invalidate_range_start == ~0u) {
    kvm.mmu_invalidate_range_start = gfn_start;
    kvm.mmu_invalidate_range_end = gfn_end;
  } else {
    if (gfn_start < kvm.mmu_invalidate_range_start) kvm.mmu_invalidate_range_start = gfn_start;
    if (gfn_end > kvm.mmu_invalidate_range_end) kvm.mmu_invalidate_range_end = gfn_end;
  }
}

void KvmMmuInvalidateEnd(Kvm& kvm) {
  kvm.mmu_lock.AssertHeld();
  // The sequence bump must be visible before the count drops (smp_wmb; pairs with the
  // smp_rmb in mmu_invalidate_retry_gfn): a fault sees either the count or the new seq.
  kvm.mmu_invalidate_seq.fetch_add(1, std::memory_order_release);
  kvm.mmu_invalidate_in_progress--;
  KvmBugOn(kvm, kvm.mmu_invalidate_in_progress < 0, "mmu-invalidate-in-progress-underflow",
           "kvm_mmu_invalidate_end without a matching begin (unbalanced start/end)");
}

bool ZapSptes(Kvm& kvm, uint32_t gfn_start, uint32_t gfn_end) {
  kvm.mmu_lock.AssertHeld();
  bool zapped = false;
  for (uint32_t g = gfn_start; g < gfn_end && g < kGfnLimit; ++g) {
    if (kvm.sptes[g].exchange(0, std::memory_order_relaxed) != 0) zapped = true;
  }
  return zapped;
}

void KvmZapGfnRange(Kvm& kvm, uint32_t gfn_start, uint32_t gfn_end) {
  HV_KERNEL_FUNCTION("kvm_zap_gfn_range");
  kvm.mmu_lock.WriteLock();
  KvmMmuInvalidateBegin(kvm);
  KvmMmuInvalidateRangeAdd(kvm, gfn_start, gfn_end);
  ZapSptes(kvm, gfn_start, gfn_end);
  KvmMmuInvalidateEnd(kvm);
  kvm.mmu_lock.WriteUnlock();
}

void KvmMmuNotifierInvalidateRangeStart(World& world, Kvm& kvm, uint32_t hva_start,
                                        uint32_t hva_end, bool blockable)
    HV_NO_THREAD_SAFETY_ANALYSIS {  // the D.3 rwsem is held from start to end
  HV_KERNEL_FUNCTION("kvm_mmu_notifier_invalidate_range_start");
  (void)blockable;  // every lock taken below spins: non-blockable ranges are handled alike
  if (world.bugs().mn_slots_rwsem) {
    // Bug switch mn-slots-rwsem (docs D.3). Introduced in kvm/queue, Apr 2021 ("KVM: Don't
    // take mmu_lock for range invalidation unless necessary", v2, never released); fixed by
    // 52ac8b358b0c "KVM: Block memslot updates across range_start() and range_end()".
    // The buggy shape held an rw_semaphore for read from here to range_end; lockdep then sees
    // mmu_notifier map -> rwsem here and rwsem -> map at range_end. (The count below is kept:
    // gfn_to_pfn caches, added later, rely on it.)
    kvm.mmu_notifier_slots_lock.DownRead();
  }
  // Pairs with the decrement in range_end; a non-zero count holds off memslot swaps
  // (kvm_swap_active_memslots) so that start and end see the same memslots.
  kvm.mn_invalidate_lock.Lock();
  kvm.mn_active_invalidate_count.fetch_add(1, std::memory_order_relaxed);
  kvm.mn_invalidate_lock.Unlock();

  // Caches are invalidated before mmu_lock is taken (so mmu_lock is never held while taking
  // each gpc->lock); that is why their retry check uses mn_active_invalidate_count rather than
  // mmu_invalidate_in_progress.
  GpcInvalidateStart(kvm, hva_start, hva_end);

  HvaRange range{hva_start, hva_end, OnLock::kInvalidateBegin, /*unmap=*/true, /*age=*/false};
  if (HandleHvaRange(kvm, range)) {
    // kvm_arch_guest_memory_reclaimed(): after dropping mmu_lock (x86's is slow); no lock.
  }
}

void KvmMmuNotifierInvalidateRangeEnd(World& world, Kvm& kvm, uint32_t hva_start,
                                      uint32_t hva_end) HV_NO_THREAD_SAFETY_ANALYSIS {
  HV_KERNEL_FUNCTION("kvm_mmu_notifier_invalidate_range_end");
  HvaRange range{hva_start, hva_end, OnLock::kInvalidateEnd, /*unmap=*/false, /*age=*/false};
  HandleHvaRange(kvm, range);

  kvm.mn_invalidate_lock.Lock();
  int count = kvm.mn_active_invalidate_count.load(std::memory_order_relaxed);
  if (count == 0) {
    sync::ReportInvariantViolation("mn-active-invalidate-count-underflow",
                                   "invalidate_range_end without a matching start");
  } else {
    kvm.mn_active_invalidate_count.store(count - 1, std::memory_order_relaxed);
  }
  bool wake = kvm.mn_active_invalidate_count.load(std::memory_order_relaxed) == 0;
  kvm.mn_invalidate_lock.Unlock();
  // Only one waiter can exist (it waits under slots_lock). Waking after the unlock is safe:
  // the waiter re-checks the count under mn_invalidate_lock and the rcuwait remembers a wake
  // that comes before it sleeps.
  if (wake) kvm.mn_memslots_update_rcuwait.WakeUp();
  if (world.bugs().mn_slots_rwsem) kvm.mmu_notifier_slots_lock.UpRead();
}

void KvmMmuNotifierClearFlushYoung(World& world, Kvm& kvm, uint32_t hva_start, uint32_t hva_end) {
  HV_KERNEL_FUNCTION("kvm_mmu_notifier_clear_flush_young");
  (void)world;
  HvaRange range{hva_start, hva_end, OnLock::kNone, /*unmap=*/false, /*age=*/true};
  HandleHvaRange(kvm, range);
}

void CheckNoSpteMapsRange(Kvm& kvm, uint32_t hva_start, uint32_t hva_end) {
  // Reads the active memslots without srcu: the memslots cannot change between start and
  // end (that is the point of mn_active_invalidate_count), and SPTEs are atomics.
  const MemslotSet* slots = kvm.active_memslots.load(std::memory_order_acquire);
  for (const Memslot* slot : slots->slots) {
    if (slot == nullptr) continue;
    for (uint32_t hva = hva_start; hva < hva_end; ++hva) {
      if (!slot->ContainsHva(hva)) continue;
      uint32_t gfn = slot->base_gfn + (hva - slot->userspace_addr);
      if (gfn < kGfnLimit && kvm.sptes[gfn].load(std::memory_order_relaxed) != 0) {
        sync::ReportInvariantViolation(
            "mmu-spte-survives-invalidation",
            "an SPTE still maps a page after invalidate_range_start returned");
        return;
      }
    }
  }
}

}  // namespace hvfuzz::model
