// SPDX-License-Identifier: Apache-2.0
// Host memory as KVM sees it. HostMemory is the kernel side: physical pages (pfns, handed out
// once and never reused) and kernel mappings of them (kmap/memremap give a khva handle that
// kunmap/memunmap kill). HostMm is one VMM process's address space (struct mm_struct): hva page
// -> pfn page tables behind mmap_lock, the registered MMU notifier, and the mm events
// (madvise(DONTNEED), migration, mprotect, reclaim) that change translations and call the
// notifier around the change.
//
// A khva handle is never reused, so a cache that keeps using an unmapped khva is caught at use
// (gpc invariants "gpc-valid-khva-unmapped", "gpc-valid-wrong-pfn"), and a second unmap of the
// same handle is the invariant "khva-double-unmap".
//
// Contract: page-table entries and mapping states are relaxed atomics (the kernel changes PTEs
// under page-table locks the model does not name); everything else is guarded by the model's
// locks. Fixed capacity, no allocation.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <string>

#include "model/sync/rw_semaphore.h"
#include "model/sync/site.h"
#include "model/world.h"

namespace hvfuzz::model {

inline constexpr uint32_t kNoPfn = 0;      // KVM_PFN_ERR_FAULT / not present
inline constexpr uint32_t kNoKhva = 0;     // NULL
inline constexpr uint32_t kBadHva = ~0u;   // KVM_HVA_ERR_BAD
inline constexpr int kMaxKhvaMappings = 128;

class HostMemory {
 public:
  HostMemory() = default;
  // alloc_page(): a fresh pfn.
  uint32_t NewPfn() { return next_pfn_.fetch_add(1, std::memory_order_relaxed); }
  // kmap()/memremap(): a new kernel mapping of `pfn`; kNoKhva when the table is full. Sleeps.
  uint32_t Kmap(uint32_t pfn, sync::Site site = sync::Site::Here());
  // kunmap()/memunmap(); reports "khva-double-unmap" for a handle already unmapped.
  void Kunmap(uint32_t khva, sync::Site site = sync::Site::Here());
  bool IsLive(uint32_t khva) const;
  uint32_t PfnOf(uint32_t khva) const;

 private:
  enum : uint8_t { kFree = 0, kLive = 1, kUnmapped = 2 };
  struct Mapping {
    std::atomic<uint32_t> pfn{0};
    std::atomic<uint8_t> state{kFree};
  };
  std::atomic<uint32_t> next_pfn_{1};
  std::atomic<uint32_t> next_khva_{1};
  std::array<Mapping, kMaxKhvaMappings + 1> maps_{};
};

// What an mm event does to the pages it covers.
enum class MmEvent : uint8_t {
  kZap,      // madvise(MADV_DONTNEED): pages dropped, the next touch faults in new ones
  kMigrate,  // page migration / THP collapse: every page replaced by a new pfn
  kProtect,  // mprotect / NUMA hinting: translations invalidated, pages unchanged
  kOomReap,  // OOM reaper: non-blockable zap (mmu_notifier_range_blockable() == false)
};
inline constexpr int kNumMmEvents = 4;

class HostMm {
 public:
  explicit HostMm(const std::string& label);

  sync::RwSemaphore mmap_lock;

  uint32_t Pte(uint32_t hva) const {
    return hva < kHvaPages ? pte_[hva].load(std::memory_order_relaxed) : kNoPfn;
  }
  void SetPte(uint32_t hva, uint32_t pfn) {
    if (hva < kHvaPages) pte_[hva].store(pfn, std::memory_order_relaxed);
  }
  // The page-table lock's re-check, as one compare-and-swap: the kernel changes a PTE under
  // its pte lock only if the entry is still what it read without the lock (do_anonymous_page:
  // vmf_pte_changed; migration: page_vma_mapped_walk). InstallPte installs `pfn` only into an
  // empty entry and returns the entry now present: `pfn`, or the page a racing fault installed
  // first (which get_user_pages' retry then returns). ReplacePte swaps `old` for `pfn` only if
  // the entry still holds `old`.
  uint32_t InstallPte(uint32_t hva, uint32_t pfn) {
    if (hva >= kHvaPages) return kNoPfn;
    uint32_t expected = kNoPfn;
    if (pte_[hva].compare_exchange_strong(expected, pfn, std::memory_order_relaxed)) return pfn;
    return expected;
  }
  bool ReplacePte(uint32_t hva, uint32_t old, uint32_t pfn) {
    return hva < kHvaPages &&
           pte_[hva].compare_exchange_strong(old, pfn, std::memory_order_relaxed);
  }
  // Whether KVM's notifier is registered on this mm (between kvm_create_vm and destroy).
  // Release/acquire: __mmu_notifier_register publishes the subscription with
  // hlist_add_head_rcu, so an mm walker that finds it sees the VM it belongs to initialized.
  bool notifier_registered() const { return registered_.load(std::memory_order_acquire); }
  void set_notifier_registered(bool v) { registered_.store(v, std::memory_order_release); }
  // Initial state of a fresh VMM process: nothing mapped yet (pages fault in on first use).
  void Reset();

 private:
  std::array<std::atomic<uint32_t>, kHvaPages> pte_{};
  std::atomic<bool> registered_{false};
};

class Kvm;

// hva_to_pfn(): get_user_pages on the VMM's mm. Sleeps; takes mmap_lock for read; faults in a
// new page (a GFP_KERNEL allocation) when nothing is mapped. kNoPfn for a bad hva or -ENOMEM.
uint32_t HvaToPfn(World& world, Kvm& kvm, uint32_t hva);

// An mm event on [hva, hva+pages) of VM `kvm`'s VMM: mmu_notifier_invalidate_range_start, the
// page-table change, mmu_notifier_invalidate_range_end (mm/mmu_notifier.c). Used by the
// mmu.invalidate and mmu.reclaim operations.
void MmChangeRange(World& world, Kvm& kvm, uint32_t hva, uint32_t pages, MmEvent event);

}  // namespace hvfuzz::model
