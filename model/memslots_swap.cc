// SPDX-License-Identifier: Apache-2.0
// Publishing memslots: kvm_swap_active_memslots, kvm_activate_memslot and
// kvm_invalidate_memslot (virt/kvm/kvm_main.c; docs/kvm-locking.md C.1).
//
// kvm_swap_active_memslots, in order:
//   1. mark the inactive set's generation "update in progress" (and check that the set readers
//      used is consistent: the in-progress bit and the rmaps invariant below);
//   2. under mn_invalidate_lock, wait (rcuwait) until no MMU-notifier invalidation is
//      between range_start and range_end, then rcu_assign_pointer the inactive set;
//   3. drop slots_arch_lock (taken by kvm_set_memslot) BEFORE synchronize_srcu;
//   4. synchronize_srcu_expedited(&kvm->srcu), with slots_lock still held;
//   5. store the final generation.
#include "model/internal/memslots_internal.h"
#include "model/kvm.h"
#include "model/mmu_notifier.h"
#include "model/sync/kernel_context.h"
#include "model/sync/task.h"

namespace hvfuzz::model::internal {
namespace {

// kvm_arch_flush_shadow_memslot() on x86: zap every SPTE of the slot under mmu_lock.
void KvmArchFlushShadowMemslot(Kvm& kvm, const Memslot& slot) {
  HV_KERNEL_FUNCTION("kvm_arch_flush_shadow_memslot");
  kvm.mmu_lock.WriteLock();
  ZapSptes(kvm, slot.base_gfn, slot.base_gfn + slot.npages);
  kvm.mmu_lock.WriteUnlock();
}

// Step 2 with bug switch mn-slots-rwsem (docs D.3): the pre-52ac8b358b0c shape took an
// rw_semaphore for write around the pointer update instead of waiting for the count.
void PublishWithRwsem(Kvm& kvm, MemslotSet* slots) {
  kvm.mmu_notifier_slots_lock.DownWrite();
  kvm.active_memslots.store(slots, std::memory_order_release);
  kvm.mmu_notifier_slots_lock.UpWrite();
}

// kvm_memslots_have_rmaps(): once the first shadow root exists, every memslot readers can see
// has rmaps — mmu_first_shadow_root_alloc fills them all before setting shadow_root_allocated,
// kvm_arch_prepare_memory_region gives new slots theirs, and kvm_invalidate_memslot copies what
// a vCPU allocated into the INVALID copy back into `old`. Checked on the set about to be
// replaced, the one readers have been using: an arch update lost under slots_arch_lock (docs
// D.5b: "arch data written under slots_arch_lock is never lost") shows at the next swap, before
// a shadow fault in that slot trips over it ("memslot-rmap-missing", page_fault.cc). The caller
// holds slots_arch_lock, which every writer of slot->arch and of shadow_root_allocated takes.
void CheckMemslotsHaveRmaps(const Kvm& kvm, const MemslotSet& readers_set) {
  if (!kvm.shadow_root_allocated.load(std::memory_order_acquire)) return;
  for (const Memslot* slot : readers_set.slots) {
    if (slot != nullptr && !slot->arch.has_rmaps) {
      sync::ReportInvariantViolation("memslot-arch-lost",
                                     "an active memslot has no rmaps after the first shadow root "
                                     "was allocated: arch data written under slots_arch_lock "
                                     "was overwritten");
      return;
    }
  }
}

}  // namespace

void KvmSwapActiveMemslots(World& world, Kvm& kvm) {
  HV_KERNEL_FUNCTION("kvm_swap_active_memslots");
  kvm.slots_lock.AssertHeld();
  kvm.slots_arch_lock.AssertHeld();
  MemslotSet& slots = InactiveMemslots(kvm);
  uint64_t gen = kvm.active_memslots.load(std::memory_order_relaxed)->generation;
  if (gen & kMemslotGenUpdateInProgress) {
    sync::ReportInvariantViolation("memslot-generation-in-progress",
                                   "the active memslots still carry the update-in-progress bit");
  }
  slots.generation = gen | kMemslotGenUpdateInProgress;
  CheckMemslotsHaveRmaps(kvm, *kvm.active_memslots.load(std::memory_order_relaxed));

  if (world.bugs().mn_slots_rwsem) {
    PublishWithRwsem(kvm, &slots);
  } else {
    // Do not publish new memslots while an invalidation is between range_start and
    // range_end: start and end must see the same memslots, or mmu_invalidate_in_progress is
    // left unbalanced. The rcuwait is armed under mn_invalidate_lock, so a range_end that
    // drops the count to zero after we unlock still wakes us (no lost wakeup).
    kvm.mn_invalidate_lock.Lock();
    kvm.mn_memslots_update_rcuwait.PrepareToWait();
    while (kvm.mn_active_invalidate_count.load(std::memory_order_relaxed) != 0) {
      kvm.mn_invalidate_lock.Unlock();
      kvm.mn_memslots_update_rcuwait.Schedule();
      kvm.mn_invalidate_lock.Lock();
    }
    kvm.mn_memslots_update_rcuwait.Finish();
    kvm.active_memslots.store(&slots, std::memory_order_release);
    kvm.mn_invalidate_lock.Unlock();
  }

  // Released before synchronize_srcu: a vCPU inside kvm->srcu may be waiting for
  // slots_arch_lock (mmu_first_shadow_root_alloc); syncing with it held would deadlock.
  kvm.slots_arch_lock.Unlock();

  kvm.srcu.SynchronizeExpedited();

  // Drop the in-progress flag and bump by the number of address spaces (one in the model).
  gen = (slots.generation & ~kMemslotGenUpdateInProgress) + 1;
  slots.generation = gen;
}

void KvmActivateMemslot(World& world, Kvm& kvm, Memslot* old, Memslot* new_slot) {
  HV_KERNEL_FUNCTION("kvm_activate_memslot");
  KvmSwapActiveMemslots(world, kvm);
  // Propagate the change to the now-inactive set, which readers left during the swap's
  // synchronize_srcu.
  KvmReplaceMemslot(kvm, old, new_slot);
}

void KvmInvalidateMemslot(World& world, Kvm& kvm, Memslot* old, Memslot* invalid_slot) {
  HV_KERNEL_FUNCTION("kvm_invalidate_memslot");
  kvm.slots_arch_lock.AssertHeld();
  // Mark a copy INVALID (never modify a slot reachable from the active set) and make it the
  // active one; `old` stays in the other set in case a later step fails and is reverted.
  *invalid_slot = *old;
  invalid_slot->in_use = true;
  invalid_slot->flags |= kMemslotInvalid;
  KvmReplaceMemslot(kvm, old, invalid_slot);
  KvmSwapActiveMemslots(world, kvm);

  // From here no new SPTE for the old slot can be created (lookups see an INVALID slot).
  KvmArchFlushShadowMemslot(kvm, *old);
  // kvm_arch_guest_memory_reclaimed(): no lock.

  // Released by kvm_swap_active_memslots(); re-acquire.
  kvm.slots_arch_lock.Lock();
  if (world.bugs().memslot_arch_copy_order) {
    // Bug switch memslot-arch-copy-order (docs D.5b). Introduced in review of b10a038e84d1
    // "KVM: mmu: Add slots_arch_lock for memslot arch fields" (v4: kvm_copy_memslots took its
    // arguments in (from, to) order); fixed before merge by swapping to (to, from). The stale
    // copy overwrites the active slot's arch, losing rmaps a vCPU allocated while
    // slots_arch_lock was dropped.
    invalid_slot->arch = old->arch;
  } else {
    // The arch data may have changed while slots_arch_lock was dropped (a vCPU allocating
    // rmaps into the active, INVALID slot): copy it back into `old`, which a failed update
    // re-activates.
    old->arch = invalid_slot->arch;
  }
}

}  // namespace hvfuzz::model::internal
