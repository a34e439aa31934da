// SPDX-License-Identifier: Apache-2.0
// Guest page faults, following kvm_tdp_page_fault / direct_page_fault / kvm_faultin_pfn /
// is_page_fault_stale in arch/x86/kvm/mmu/mmu.c (docs C.4):
//   1. mmu_seq = kvm->mmu_invalidate_seq (before the pfn lookup);
//   2. hva_to_pfn (sleeps; mmap_lock);
//   3. mmu_lock (read for the TDP MMU, write for the shadow MMU);
//   4. retry if an invalidation covering the gfn is in progress or completed since step 1;
//   5. install the SPTE; unlock.
#include "model/page_fault.h"

#include <cerrno>

#include "model/kvm.h"
#include "model/memslots.h"
#include "model/mmu_notifier.h"
#include "model/sync/kernel_context.h"
#include "model/sync/task.h"

namespace hvfuzz::model {
namespace {

// mmu_invalidate_retry_gfn(): caller holds mmu_lock.
bool MmuInvalidateRetryGfn(Kvm& kvm, uint64_t mmu_seq, uint32_t gfn)
    HV_REQUIRES_SHARED(kvm.mmu_lock) {
  kvm.mmu_lock.AssertHeld();
  if (kvm.mmu_invalidate_in_progress != 0) {
    if (kvm.mmu_invalidate_range_start == ~0u) return true;  // WARN: range not set yet
    if (gfn >= kvm.mmu_invalidate_range_start && gfn < kvm.mmu_invalidate_range_end) return true;
  }
  return kvm.mmu_invalidate_seq.load(std::memory_order_relaxed) != mmu_seq;
}

int PageFault(World& world, Vcpu& vcpu, uint32_t gfn, bool write, bool shadow)
    HV_NO_THREAD_SAFETY_ANALYSIS {  // mmu_lock is taken for read or write depending on the MMU
  Kvm& kvm = vcpu.kvm();
  kvm.srcu.AssertHeld();
  gfn %= kGfnLimit;
  const MemslotSet& slots = KvmMemslots(kvm);
  const Memslot* slot = FindMemslotByGfn(slots, gfn);
  if (slot == nullptr) return 0;  // MMIO: emulated, no SPTE
  // A slot being deleted or moved: retry, so that no SPTE for it survives the flush.
  if (slot->invalid()) return kRetPfRetry;
  uint64_t mmu_seq = kvm.mmu_invalidate_seq.load(std::memory_order_acquire);
  uint32_t hva = GfnToHva(slot, gfn);
  uint32_t pfn = HvaToPfn(world, kvm, hva);
  if (pfn == kNoPfn) return -EFAULT;

  if (shadow) {
    kvm.mmu_lock.WriteLock();
  } else {
    kvm.mmu_lock.ReadLock();
  }
  int r = 0;
  if (MmuInvalidateRetryGfn(kvm, mmu_seq, gfn)) {
    r = kRetPfRetry;  // is_page_fault_stale()
  } else {
    if (!shadow && !kvm.tdp_mmu_root_linked.load(std::memory_order_relaxed)) {
      // tdp_mmu_link_sp -> tdp_account_mmu_page: the page list lock nests in mmu_lock (read).
      kvm.tdp_mmu_pages_lock.Lock();
      kvm.tdp_mmu_root_linked.store(true, std::memory_order_relaxed);
      kvm.tdp_mmu_pages_lock.Unlock();
    }
    if (shadow && !slot->arch.has_rmaps) {
      sync::ReportInvariantViolation("memslot-rmap-missing",
                                     "shadow-MMU fault in a memslot without rmaps after the "
                                     "first shadow root was allocated (rmap_add on NULL)");
    }
    if (kvm.mm.Pte(hva) != pfn) {
      sync::ReportInvariantViolation("mmu-spte-stale-pfn",
                                     "SPTE installed for a pfn the hva no longer maps: the "
                                     "MMU-notifier retry check let a stale fault through");
    }
    kvm.sptes[gfn].store(pfn, std::memory_order_relaxed);
    if (write && (slot->flags & kMemLogDirtyPages)) KvmDirtyRingPush(vcpu, gfn);
  }
  if (shadow) {
    kvm.mmu_lock.WriteUnlock();
  } else {
    kvm.mmu_lock.ReadUnlock();
  }
  return r;
}

}  // namespace

int KvmTdpPageFault(World& world, Vcpu& vcpu, uint32_t gfn, bool write) {
  HV_KERNEL_FUNCTION("kvm_tdp_page_fault");
  return PageFault(world, vcpu, gfn, write, /*shadow=*/false);
}

int MmuFirstShadowRootAlloc(World& world, Kvm& kvm) {
  HV_KERNEL_FUNCTION("mmu_first_shadow_root_alloc");
  // Checked before taking the lock: allocation happens once per VM.
  if (kvm.shadow_root_allocated.load(std::memory_order_acquire)) return 0;
  kvm.slots_arch_lock.Lock();
  int r = 0;
  if (!kvm.shadow_root_allocated.load(std::memory_order_relaxed)) {
    // Writers retrieve the memslots after taking slots_arch_lock: the active set is fresh.
    const MemslotSet& slots = KvmMemslots(kvm);
    for (Memslot* slot : slots.slots) {
      if (slot == nullptr || slot->arch.has_rmaps) continue;
      if (!GfpKernelAlloc(world)) {  // memslot_rmap_alloc: __vcalloc(GFP_KERNEL_ACCOUNT)
        r = -ENOMEM;
        break;
      }
      slot->arch.has_rmaps = true;
    }
    // shadow_root_allocated becomes true strictly after every rmap pointer is set.
    if (r == 0) kvm.shadow_root_allocated.store(true, std::memory_order_release);
  }
  kvm.slots_arch_lock.Unlock();
  return r;
}

int KvmNestedPageFault(World& world, Vcpu& vcpu, uint32_t gfn, bool write) {
  HV_KERNEL_FUNCTION("kvm_mmu_page_fault");
  int r = MmuFirstShadowRootAlloc(world, vcpu.kvm());  // kvm_mmu_load -> mmu_alloc_shadow_roots
  if (r != 0) return r;
  return PageFault(world, vcpu, gfn, write, /*shadow=*/true);
}

void KvmMmuZapAllFast(Kvm& kvm) {
  HV_KERNEL_FUNCTION("kvm_mmu_zap_all_fast");
  kvm.slots_lock.AssertHeld();
  kvm.mmu_lock.WriteLock();
  ZapSptes(kvm, 0, kGfnLimit);  // obsolete every root (mmu_valid_gen++)
  kvm.mmu_lock.WriteUnlock();
  // kvm_tdp_mmu_zap_invalidated_roots() under mmu_lock held for read.
  kvm.mmu_lock.ReadLock();
  kvm.mmu_lock.ReadUnlock();
}

}  // namespace hvfuzz::model
