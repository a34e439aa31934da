// SPDX-License-Identifier: Apache-2.0
// KVM's MMU notifier (virt/kvm/kvm_main.c): invalidate_range_start/_end and the aging
// callbacks, with mn_invalidate_lock + mn_active_invalidate_count (which hold memslot updates
// off between start and end), the invalidate sequence/in-progress count under mmu_lock, and
// the gfn_to_pfn cache invalidation that runs before mmu_lock. Also the helpers other zaps
// share (kvm_mmu_invalidate_begin/_end, kvm_zap_gfn_range).
//
// Contract: the start/end callbacks run inside the mmu_notifier_invalidate_range_start lockdep
// map (the caller, MmChangeRange, acquires it) and never sleep on a blockable or non-blockable
// range alike: every lock they take spins. Each start is paired with exactly one end on the
// same task. No allocation.
#pragma once

#include <cstdint>

#include "model/kvm.h"
#include "model/sync/annotations.h"

namespace hvfuzz::model {

class Kvm;
class World;

void KvmMmuNotifierInvalidateRangeStart(World& world, Kvm& kvm, uint32_t hva_start,
                                        uint32_t hva_end, bool blockable);
void KvmMmuNotifierInvalidateRangeEnd(World& world, Kvm& kvm, uint32_t hva_start,
                                      uint32_t hva_end);
// kvm_mmu_notifier_clear_flush_young(): srcu -> mmu_lock on the first overlapping slot.
void KvmMmuNotifierClearFlushYoung(World& world, Kvm& kvm, uint32_t hva_start, uint32_t hva_end);

// Model invariant after every start callback: no SPTE maps a gfn whose hva is in the range
// ("mmu-spte-survives-invalidation").
void CheckNoSpteMapsRange(Kvm& kvm, uint32_t hva_start, uint32_t hva_end);

// kvm_mmu_invalidate_begin / _range_add / _end: caller holds mmu_lock for write.
void KvmMmuInvalidateBegin(Kvm& kvm) HV_REQUIRES(kvm.mmu_lock);
void KvmMmuInvalidateRangeAdd(Kvm& kvm, uint32_t gfn_start, uint32_t gfn_end)
    HV_REQUIRES(kvm.mmu_lock);
void KvmMmuInvalidateEnd(Kvm& kvm) HV_REQUIRES(kvm.mmu_lock);

// kvm_zap_gfn_range(): write_lock(mmu_lock), invalidate begin/end around the zap. Caller holds
// kvm->srcu for read or slots_lock.
void KvmZapGfnRange(Kvm& kvm, uint32_t gfn_start, uint32_t gfn_end);
// Zaps the SPTEs of [gfn_start, gfn_end); caller holds mmu_lock for write.
bool ZapSptes(Kvm& kvm, uint32_t gfn_start, uint32_t gfn_end) HV_REQUIRES(kvm.mmu_lock);

}  // namespace hvfuzz::model
