// SPDX-License-Identifier: Apache-2.0
// KVM_SET_USER_MEMORY_REGION: kvm_vm_ioctl_set_memory_region -> kvm_set_memory_region ->
// kvm_set_memslot (virt/kvm/kvm_main.c; docs/kvm-locking.md C.1). Every exit path of
// kvm_set_memslot releases slots_arch_lock exactly once, either directly or through a memslot
// swap (the D.5a invariant, checked at the return-to-user boundary).
#include <cerrno>

#include "model/internal/memslots_internal.h"
#include "model/internal/op_handlers.h"
#include "model/kvm.h"
#include "model/mmu_notifier.h"
#include "model/sync/kernel_context.h"
#include "model/sync/task.h"

namespace hvfuzz::model {
namespace {

using internal::KvmActivateMemslot;
using internal::KvmInvalidateMemslot;
using internal::KvmReplaceMemslot;

// kvm_prepare_memory_region -> kvm_arch_prepare_memory_region (x86): CREATE and MOVE allocate
// the slot's metadata (rmaps only once a shadow root exists); FLAGS_ONLY inherits old->arch.
int KvmPrepareMemoryRegion(World& world, Kvm& kvm, const Memslot* old, Memslot* new_slot,
                           MemslotChange change) {
  HV_KERNEL_FUNCTION("kvm_arch_prepare_memory_region");
  kvm.slots_arch_lock.AssertHeld();
  if (change == MemslotChange::kCreate || change == MemslotChange::kMove) {
    // kvm_alloc_memslot_metadata(): GFP_KERNEL_ACCOUNT allocations, the arch prepare step
    // fault injection targets.
    if (!GfpKernelAlloc(world, FallibleStep::kArchPrepare)) return -ENOMEM;
    // kvm_memslots_have_rmaps() is stable here: it only changes under slots_arch_lock.
    new_slot->arch.has_rmaps = kvm.shadow_root_allocated.load(std::memory_order_acquire);
  } else if (change == MemslotChange::kFlagsOnly) {
    new_slot->arch = old->arch;
  }
  return 0;
}

// kvm_commit_memory_region -> kvm_arch_commit_memory_region (x86): dirty-logging changes
// write-protect or zap under mmu_lock; CREATE/DELETE resize the MMU page budget under it.
void KvmCommitMemoryRegion(Kvm& kvm, Memslot* old, const Memslot* new_slot,
                           MemslotChange change) {
  HV_KERNEL_FUNCTION("kvm_commit_memory_region");
  uint32_t old_flags = old ? old->flags : 0;
  uint32_t new_flags = new_slot ? new_slot->flags : 0;
  bool dirty_toggled = ((old_flags ^ new_flags) & kMemLogDirtyPages) != 0;
  if (dirty_toggled || change == MemslotChange::kCreate || change == MemslotChange::kDelete) {
    kvm.mmu_lock.WriteLock();
    if (dirty_toggled && new_slot != nullptr) {
      ZapSptes(kvm, new_slot->base_gfn, new_slot->base_gfn + new_slot->npages);
    }
    kvm.mmu_lock.WriteUnlock();
  }
  // Free the detached old slot (DELETE: with its metadata; MOVE/FLAGS_ONLY: only the struct).
  if (change != MemslotChange::kCreate) internal::FreeMemslotObject(old);
}

// kvm_set_memslot(). The branches lock and unlock slots_arch_lock along different paths (and
// the swap releases it on the caller's behalf), which the static analysis cannot follow; the
// runtime check is the leak detector at the return-to-user boundary.
int KvmSetMemslot(World& world, Kvm& kvm, Memslot* old, Memslot* new_slot,
                  MemslotChange change) HV_NO_THREAD_SAFETY_ANALYSIS {
  HV_KERNEL_FUNCTION("kvm_set_memslot");
  kvm.slots_lock.AssertHeld();
  bool bug = world.bugs().slots_arch_lock_leak;
  // Released in kvm_swap_active_memslots(). Held from before the current memslots are
  // copied until the new ones are published, so installing them loses no arch update.
  kvm.slots_arch_lock.Lock();

  Memslot* invalid_slot = nullptr;
  bool invalidate = change == MemslotChange::kDelete || change == MemslotChange::kMove;
  if (invalidate) {
    // kzalloc(sizeof(*invalid_slot), GFP_KERNEL_ACCOUNT)
    invalid_slot = GfpKernelAlloc(world) ? internal::AllocMemslotObject(kvm) : nullptr;
    if (invalid_slot == nullptr) {
      // Bug switch slots-arch-lock-leak (docs D.5a): introduced in review of b10a038e84d1
      // "KVM: mmu: Add slots_arch_lock for memslot arch fields" (v4 returned -ENOMEM from
      // kvm_dup_memslots without unlocking); fixed before merge.
      if (!bug) kvm.slots_arch_lock.Unlock();
      return -ENOMEM;
    }
    KvmInvalidateMemslot(world, kvm, old, invalid_slot);
  }

  int r = KvmPrepareMemoryRegion(world, kvm, old, new_slot, change);
  if (r != 0) {
    if (invalidate) {
      // Revert the INVALID slot: the original is still in the inactive set; the swap
      // releases slots_arch_lock.
      KvmActivateMemslot(world, kvm, invalid_slot, old);
      internal::FreeMemslotObject(invalid_slot);
    } else {
      // Bug switch slots-arch-lock-leak (docs D.5a): v4 of b10a038e84d1 jumped to a label
      // that only re-installed (and so unlocked) for DELETE/MOVE, leaking the lock for
      // CREATE/FLAGS_ONLY; fixed in review (Sean Christopherson, 2021-05-11).
      if (!bug) kvm.slots_arch_lock.Unlock();
    }
    return r;
  }

  switch (change) {
    case MemslotChange::kCreate:  // kvm_create_memslot
      KvmReplaceMemslot(kvm, nullptr, new_slot);
      KvmActivateMemslot(world, kvm, nullptr, new_slot);
      break;
    case MemslotChange::kDelete:  // kvm_delete_memslot
      KvmReplaceMemslot(kvm, old, nullptr);
      KvmActivateMemslot(world, kvm, invalid_slot, nullptr);
      break;
    case MemslotChange::kMove:  // kvm_move_memslot
      KvmReplaceMemslot(kvm, old, new_slot);
      KvmActivateMemslot(world, kvm, invalid_slot, new_slot);
      break;
    case MemslotChange::kFlagsOnly:  // kvm_update_flags_memslot
      KvmReplaceMemslot(kvm, old, new_slot);
      KvmActivateMemslot(world, kvm, old, new_slot);
      break;
  }
  if (invalidate) internal::FreeMemslotObject(invalid_slot);

  // Without slots_arch_lock: changes made after it was dropped hit the active slot directly.
  KvmCommitMemoryRegion(kvm, old, change == MemslotChange::kDelete ? nullptr : new_slot, change);
  return 0;
}

bool Overlaps(const MemslotSet& set, int id, uint32_t gfn, uint32_t npages) {
  for (const Memslot* s : set.slots) {
    if (s == nullptr || s->id == id) continue;
    if (gfn < s->base_gfn + s->npages && s->base_gfn < gfn + npages) return true;
  }
  return false;
}

}  // namespace

int KvmSetMemoryRegion(World& world, Kvm& kvm, uint32_t id, uint32_t gfn, uint32_t npages,
                       uint32_t flags) {
  HV_KERNEL_FUNCTION("kvm_set_memory_region");
  kvm.slots_lock.AssertHeld();
  if (id >= kMaxMemslots || npages > kMaxSlotPages || gfn + npages > kGfnLimit) return -EINVAL;
  MemslotSet& slots = *kvm.active_memslots.load(std::memory_order_relaxed);
  Memslot* old = slots.slots[id];
  uint32_t hva = id * kSlotStride;  // each slot id has its own VMM mapping
  if (npages == 0) {
    if (old == nullptr) return -EINVAL;
    return KvmSetMemslot(world, kvm, old, nullptr, MemslotChange::kDelete);
  }
  MemslotChange change;
  if (old == nullptr) {
    change = MemslotChange::kCreate;
  } else {
    if (npages != old->npages) return -EINVAL;
    if (gfn != old->base_gfn) {
      change = MemslotChange::kMove;
    } else if (flags != old->flags) {
      change = MemslotChange::kFlagsOnly;
    } else {
      return 0;  // nothing to change
    }
  }
  if ((change == MemslotChange::kCreate || change == MemslotChange::kMove) &&
      Overlaps(slots, static_cast<int>(id), gfn, npages)) {
    return -EEXIST;
  }
  // The slot that will persist in the memslots: kzalloc(GFP_KERNEL_ACCOUNT).
  Memslot* new_slot = GfpKernelAlloc(world) ? internal::AllocMemslotObject(kvm) : nullptr;
  if (new_slot == nullptr) return -ENOMEM;
  new_slot->id = static_cast<int>(id);
  new_slot->base_gfn = gfn;
  new_slot->npages = npages;
  new_slot->userspace_addr = hva;
  new_slot->flags = flags;
  int r = KvmSetMemslot(world, kvm, old, new_slot, change);
  if (r != 0) internal::FreeMemslotObject(new_slot);
  return r;
}

namespace internal {

// memslot.set vm slot gfn pages: KVM_SET_USER_MEMORY_REGION keeping the slot's flags.
int OpMemslotSet(World& world, const OpArgs& a) {
  HV_KERNEL_FUNCTION("kvm_vm_ioctl_set_memory_region");
  VmFile file(world, a[0]);
  if (file.error()) return file.error();
  Kvm& kvm = *file.kvm();
  kvm.slots_lock.Lock();
  const Memslot* old = KvmMemslots(kvm).slots[a[1] % kMaxMemslots];
  uint32_t flags = old != nullptr ? old->flags : 0;
  int r = KvmSetMemoryRegion(world, kvm, a[1], a[2], a[3], flags);
  kvm.slots_lock.Unlock();
  return r;
}

// memslot.log_dirty vm slot enable: the same ioctl with only KVM_MEM_LOG_DIRTY_PAGES changed.
int OpMemslotLogDirty(World& world, const OpArgs& a) {
  HV_KERNEL_FUNCTION("kvm_vm_ioctl_set_memory_region");
  VmFile file(world, a[0]);
  if (file.error()) return file.error();
  Kvm& kvm = *file.kvm();
  kvm.slots_lock.Lock();
  int r = -EINVAL;
  const Memslot* old = a[1] < kMaxMemslots ? KvmMemslots(kvm).slots[a[1]] : nullptr;
  if (old != nullptr) {
    uint32_t flags = a[2] ? (old->flags | kMemLogDirtyPages) : (old->flags & ~kMemLogDirtyPages);
    r = KvmSetMemoryRegion(world, kvm, a[1], old->base_gfn, old->npages, flags);
  }
  kvm.slots_lock.Unlock();
  return r;
}

}  // namespace internal
}  // namespace hvfuzz::model
