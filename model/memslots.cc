// SPDX-License-Identifier: Apache-2.0
#include "model/memslots.h"

#include "model/host_memory.h"
#include "model/internal/memslots_internal.h"
#include "model/kvm.h"

namespace hvfuzz::model {

const Memslot* FindMemslotByGfn(const MemslotSet& set, uint32_t gfn) {
  for (const Memslot* slot : set.slots) {
    if (slot != nullptr && slot->ContainsGfn(gfn)) return slot;
  }
  return nullptr;
}

uint32_t GfnToHva(const Memslot* slot, uint32_t gfn) {
  if (slot == nullptr || slot->invalid() || !slot->ContainsGfn(gfn)) return kBadHva;
  return slot->userspace_addr + (gfn - slot->base_gfn);
}

const MemslotSet& KvmMemslots(Kvm& kvm) {
  // srcu_dereference_check(kvm->memslots, &kvm->srcu, lockdep_is_held(&kvm->slots_lock)).
  if (!kvm.slots_lock.HeldByCurrent()) kvm.srcu.AssertHeld();
  return *kvm.active_memslots.load(std::memory_order_acquire);
}

namespace internal {

MemslotSet& InactiveMemslots(Kvm& kvm) {
  const MemslotSet* active = kvm.active_memslots.load(std::memory_order_relaxed);
  return kvm.memslot_sets[active->node_index ^ 1];
}

Memslot* AllocMemslotObject(Kvm& kvm) {
  for (Memslot& slot : kvm.memslot_pool) {
    if (!slot.in_use) {
      slot = Memslot{};
      slot.in_use = true;
      return &slot;
    }
  }
  return nullptr;
}

void FreeMemslotObject(Memslot* slot) {
  if (slot != nullptr) slot->in_use = false;
}

void KvmReplaceMemslot(Kvm& kvm, const Memslot* old, Memslot* new_slot) {
  MemslotSet& set = InactiveMemslots(kvm);
  int id = old != nullptr ? old->id : new_slot->id;
  set.slots[id] = new_slot;
}

}  // namespace internal
}  // namespace hvfuzz::model
