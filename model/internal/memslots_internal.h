// SPDX-License-Identifier: Apache-2.0
// The memslot update machinery shared by memslots_update.cc and memslots_swap.cc
// (kvm_set_memslot and the helpers it calls in virt/kvm/kvm_main.c). Internal to model/.
#pragma once

#include "model/kvm.h"
#include "model/memslots.h"

namespace hvfuzz::model::internal {

// The inactive set (kvm_get_inactive_memslots). Writers hold slots_lock.
MemslotSet& InactiveMemslots(Kvm& kvm);
// kzalloc of a struct kvm_memory_slot from the VM's pool; nullptr when exhausted. Caller
// holds slots_lock; the GFP_KERNEL priming and fault injection are the caller's.
Memslot* AllocMemslotObject(Kvm& kvm);
void FreeMemslotObject(Memslot* slot);

// kvm_replace_memslot(): in the inactive set, replace `old` by `new_slot` (either may be null).
void KvmReplaceMemslot(Kvm& kvm, const Memslot* old, Memslot* new_slot);
// kvm_swap_active_memslots(): publishes the inactive set. Entered with slots_lock and
// slots_arch_lock held; returns with slots_arch_lock RELEASED (before synchronize_srcu).
void KvmSwapActiveMemslots(World& world, Kvm& kvm) HV_RELEASE(kvm.slots_arch_lock);
// kvm_activate_memslot(): swap, then propagate `new_slot` to the now-inactive set. Releases
// slots_arch_lock.
void KvmActivateMemslot(World& world, Kvm& kvm, Memslot* old, Memslot* new_slot)
    HV_RELEASE(kvm.slots_arch_lock);
// kvm_invalidate_memslot(): installs an INVALID copy of `old`, swaps (dropping
// slots_arch_lock), flushes, and re-takes slots_arch_lock.
void KvmInvalidateMemslot(World& world, Kvm& kvm, Memslot* old, Memslot* invalid_slot)
    HV_REQUIRES(kvm.slots_arch_lock);

}  // namespace hvfuzz::model::internal
