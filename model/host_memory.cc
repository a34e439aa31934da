// SPDX-License-Identifier: Apache-2.0
#include "model/host_memory.h"

#include "model/kvm.h"
#include "model/kvm_global.h"
#include "model/lock_classes.h"
#include "model/mmu_notifier.h"
#include "model/sync/kernel_context.h"
#include "model/sync/lockdep_map.h"
#include "model/sync/task.h"
#include "model/sync/wait_event.h"

namespace hvfuzz::model {

uint32_t HostMemory::Kmap(uint32_t pfn, sync::Site site) {
  sync::MightSleep(site);
  uint32_t khva = next_khva_.fetch_add(1, std::memory_order_relaxed);
  if (khva > kMaxKhvaMappings) return kNoKhva;  // vmap space exhausted: kmap/memremap fail
  maps_[khva].pfn.store(pfn, std::memory_order_relaxed);
  maps_[khva].state.store(kLive, std::memory_order_release);
  return khva;
}

void HostMemory::Kunmap(uint32_t khva, sync::Site site) {
  if (khva == kNoKhva || khva > kMaxKhvaMappings) return;
  uint8_t old = maps_[khva].state.exchange(kUnmapped, std::memory_order_acq_rel);
  if (old != kLive) {
    sync::ReportInvariantViolation("khva-double-unmap",
                                   "kunmap/memunmap of a kernel mapping that is not mapped", site);
  }
}

bool HostMemory::IsLive(uint32_t khva) const {
  return khva != kNoKhva && khva <= kMaxKhvaMappings &&
         maps_[khva].state.load(std::memory_order_acquire) == kLive;
}

uint32_t HostMemory::PfnOf(uint32_t khva) const {
  return khva <= kMaxKhvaMappings ? maps_[khva].pfn.load(std::memory_order_relaxed) : kNoPfn;
}

HostMm::HostMm(const std::string& label)
    : mmap_lock(lock_classes::kMmapLock, label) {}

void HostMm::Reset() {
  for (auto& pte : pte_) pte.store(kNoPfn, std::memory_order_relaxed);
  registered_.store(false, std::memory_order_relaxed);
}

uint32_t HvaToPfn(World& world, Kvm& kvm, uint32_t hva) {
  HV_KERNEL_FUNCTION("hva_to_pfn");
  sync::MightSleep();
  if (hva >= kHvaPages) return kNoPfn;
  HostMm& mm = kvm.mm;
  // get_user_pages: walk the page tables under mmap_lock; a missing page is faulted in,
  // which allocates (handle_mm_fault -> alloc_page, GFP_KERNEL: may enter reclaim).
  mm.mmap_lock.DownRead();
  uint32_t pfn = mm.Pte(hva);
  if (pfn == kNoPfn && GfpKernelAlloc(world)) {
    // Two faults on one hva both hold mmap_lock for read and may both allocate. The loser of
    // the install frees its page and uses the winner's: storing unconditionally would let the
    // loser's cache point at a page no PTE maps, with no invalidation to tell it (a false
    // gpc-valid-wrong-pfn seen on real threads).
    pfn = mm.InstallPte(hva, world.global().memory.NewPfn());
  }
  mm.mmap_lock.UpRead();
  return pfn;
}

void MmChangeRange(World& world, Kvm& kvm, uint32_t hva, uint32_t pages, MmEvent event) {
  HV_KERNEL_FUNCTION("mm_change_range");
  uint32_t end = hva + pages;
  if (end > kHvaPages) end = kHvaPages;
  if (hva >= end) return;
  HostMm& mm = kvm.mm;
  bool notify = mm.notifier_registered();
  bool blockable = event != MmEvent::kOomReap;
  // mmu_notifier_invalidate_range_start(): every notifier's start callback runs inside the
  // lockdep map, so each lock KVM takes there is ordered after "inside an invalidation".
  if (notify) {
    HV_KERNEL_FUNCTION("mmu_notifier_invalidate_range_start");
    world.global().mmu_notifier_map.Acquire();
    KvmMmuNotifierInvalidateRangeStart(world, kvm, hva, end, blockable);
    world.global().mmu_notifier_map.Release();
    CheckNoSpteMapsRange(kvm, hva, end);
  }
  // The page-table change itself happens only after every start callback returned: a
  // secondary MMU or cache that survived start would now point at a stale page.
  for (uint32_t a = hva; a < end; ++a) {
    switch (event) {
      case MmEvent::kZap:
      case MmEvent::kOomReap:
        mm.SetPte(a, kNoPfn);
        break;
      case MmEvent::kMigrate:
        // Only the page it found: a zap racing with the migration (both without the
        // page-table lock in the model) must not be undone by a stale read.
        if (uint32_t old = mm.Pte(a); old != kNoPfn) {
          mm.ReplacePte(a, old, world.global().memory.NewPfn());
        }
        break;
      case MmEvent::kProtect:
        break;
    }
  }
  if (notify) {
    HV_KERNEL_FUNCTION("mmu_notifier_invalidate_range_end");
    world.global().mmu_notifier_map.Acquire();
    KvmMmuNotifierInvalidateRangeEnd(world, kvm, hva, end);
    world.global().mmu_notifier_map.Release();
  }
}

}  // namespace hvfuzz::model
