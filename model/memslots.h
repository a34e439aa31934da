// SPDX-License-Identifier: Apache-2.0
// Memslots: guest-physical -> VMM-virtual translations (struct kvm_memory_slot) and the two
// memslot sets per address space that KVM swaps on every update (kvm->__memslots[as][0..1]):
// readers use the active set under kvm->srcu; writers, under kvm->slots_lock, edit the
// inactive set and publish it with kvm_swap_active_memslots(). A Memslot object is shared by
// both sets, as upstream; its `arch` is changed in place under kvm->slots_arch_lock.
//
// Contract: no internal locking: see each field for the lock that guards it. Lookups are
// linear over at most kMaxMemslots entries. The slot pool is fixed (no allocation).
#pragma once

#include <array>
#include <atomic>
#include <cstdint>

#include "model/internal/once_value.h"
#include "model/world.h"

namespace hvfuzz::model {

inline constexpr uint32_t kMemLogDirtyPages = 1u << 0;   // KVM_MEM_LOG_DIRTY_PAGES
inline constexpr uint32_t kMemslotInvalid = 1u << 16;    // KVM_MEMSLOT_INVALID
inline constexpr uint64_t kMemslotGenUpdateInProgress = 1ull << 63;

// kvm_mr_change.
enum class MemslotChange : uint8_t { kCreate, kDelete, kMove, kFlagsOnly };

// x86 kvm_arch_memory_slot, reduced to what the locking cares about.
struct MemslotArch {
  bool has_rmaps = false;  // rmap arrays allocated (memslot_rmap_alloc)
};

struct Memslot {
  bool in_use = false;     // pool bookkeeping (allocated object)
  int id = -1;
  uint32_t base_gfn = 0;
  uint32_t npages = 0;
  uint32_t userspace_addr = 0;  // first hva page
  uint32_t flags = 0;
  MemslotArch arch;             // guarded by kvm->slots_arch_lock (written inside kvm->srcu)

  bool ContainsGfn(uint32_t gfn) const { return gfn >= base_gfn && gfn < base_gfn + npages; }
  bool ContainsHva(uint32_t hva) const {
    return hva >= userspace_addr && hva < userspace_addr + npages;
  }
  bool invalid() const { return (flags & kMemslotInvalid) != 0; }
};

struct MemslotSet {
  std::array<Memslot*, kMaxMemslots> slots{};  // by slot id
  // Written after the grace period while SRCU readers compare it (see OnceValue).
  internal::OnceValue<uint64_t> generation = 0;
  int node_index = 0;  // 0 or 1: which of the two sets this is
};

// __gfn_to_memslot(): the slot covering `gfn` (possibly an INVALID one), or nullptr.
const Memslot* FindMemslotByGfn(const MemslotSet& set, uint32_t gfn);
// gfn_to_hva_memslot() with __gfn_to_hva_many's checks: kBadHva for no slot or an INVALID one.
uint32_t GfnToHva(const Memslot* slot, uint32_t gfn);

class Kvm;

// kvm_memslots(kvm): the active set. Lockdep's srcu_dereference_check: the caller holds
// kvm->srcu for read or kvm->slots_lock (reported through AssertHeld otherwise).
const MemslotSet& KvmMemslots(Kvm& kvm);

}  // namespace hvfuzz::model
