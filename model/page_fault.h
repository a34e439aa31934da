// SPDX-License-Identifier: Apache-2.0
// Guest page faults (arch/x86/kvm/mmu/mmu.c; docs/kvm-locking.md C.4): the TDP MMU fault
// (mmu_lock for read) and the shadow-paging fault of a nested guest (mmu_lock for write, rmaps,
// mmu_first_shadow_root_alloc taking slots_arch_lock inside kvm->srcu), both retrying against
// the MMU-notifier sequence; plus kvm_mmu_zap_all_fast.
//
// Contract: faults run on the vCPU's task inside vcpu->mutex and kvm->srcu. Invariants:
// "mmu-spte-stale-pfn" (an SPTE installed for a pfn the hva no longer maps: the retry protocol
// failed) and "memslot-rmap-missing" (a shadow fault finds no rmaps after the first shadow root
// was allocated: arch data lost, docs D.5b; usually "memslot-arch-lost" in memslots_swap.cc sees
// the loss first, at the next memslot swap).
#pragma once

#include <cstdint>

namespace hvfuzz::model {

class Kvm;
class Vcpu;
class World;

inline constexpr int kRetPfRetry = 1;  // RET_PF_RETRY: the guest re-executes and faults again

// kvm_tdp_page_fault(): 0, kRetPfRetry or -EFAULT.
int KvmTdpPageFault(World& world, Vcpu& vcpu, uint32_t gfn, bool write);
// A nested (shadow-paging) fault: kvm_mmu_load -> mmu_first_shadow_root_alloc, then
// kvm_mmu_page_fault with the shadow MMU.
int KvmNestedPageFault(World& world, Vcpu& vcpu, uint32_t gfn, bool write);
// mmu_first_shadow_root_alloc(): 0 or -ENOMEM.
int MmuFirstShadowRootAlloc(World& world, Kvm& kvm);
// kvm_mmu_zap_all_fast(): caller holds slots_lock.
void KvmMmuZapAllFast(Kvm& kvm);

}  // namespace hvfuzz::model
