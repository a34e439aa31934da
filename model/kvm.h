// SPDX-License-Identifier: Apache-2.0
// Kvm: struct kvm, one VM slot of the World. It holds the VM-wide locks of
// docs/kvm-locking.md A (kvm->lock, slots_lock, slots_arch_lock, irq_lock, srcu, irq_srcu,
// mmu_lock, mn_invalidate_lock, gpc_lock, irqfds.lock, ...), the state they guard, the VMM's
// mm, the vCPUs and the caches. Lifetime: kvm_create_vm puts a VM in a free slot; users_count
// counts the VM fd, every in-flight ioctl (fdget) and every vm_list walker's kvm_get_kvm;
// whoever drops the last reference runs kvm_destroy_vm (kvm_put_kvm, from any thread).
//
// Contract: lock objects live as long as the World (a slot is re-initialized, never rebuilt).
// Fields are guarded as annotated; counters read locklessly upstream are atomics.
#pragma once

#include <array>
#include <vector>
#include <atomic>
#include <cstdint>

#include "model/gfn_to_pfn_cache.h"
#include "model/host_memory.h"
#include "model/irqfd.h"
#include "model/memslots.h"
#include "model/sync/mutex.h"
#include "model/sync/rw_semaphore.h"
#include "model/sync/rwlock.h"
#include "model/sync/spinlock.h"
#include "model/sync/srcu.h"
#include "model/sync/wait_event.h"
#include "model/vcpu.h"
#include "model/xen_evtchn.h"

namespace hvfuzz::model {

enum class VmState : uint8_t {
  kFree,        // no VM in this slot
  kCreating,    // kvm_create_vm running
  kLive,        // created, on vm_list
  kDestroying,  // kvm_destroy_vm running
};

inline constexpr int kMemslotPool = 2 * kMaxMemslots + 2;
inline constexpr uint32_t kApicvInhibitAbsent = 1u << 0;    // APICV_INHIBIT_REASON_ABSENT
inline constexpr uint32_t kApicvInhibitBlockIrq = 1u << 1;  // APICV_INHIBIT_REASON_BLOCKIRQ
inline constexpr uint32_t kApicAccessGfn = kGfnLimit - 2;   // APIC_DEFAULT_PHYS_BASE's gfn

class Kvm {
 public:
  Kvm(World& world, int index);
  Kvm(const Kvm&) = delete;
  Kvm& operator=(const Kvm&) = delete;

  World& world() const { return *world_; }
  int index() const { return index_; }

  // ---- locks (docs/kvm-locking.md A) ----
  sync::Mutex lock;                   // &kvm->lock
  sync::Mutex slots_lock;             // &kvm->slots_lock
  sync::Mutex slots_arch_lock;        // &kvm->slots_arch_lock
  sync::Mutex irq_lock;               // &kvm->irq_lock
  sync::Srcu srcu;                    // &kvm->srcu
  sync::Srcu irq_srcu;                // &kvm->irq_srcu
  sync::RwLock mmu_lock;              // &kvm->mmu_lock (rwlock on x86)
  sync::SpinLock tdp_mmu_pages_lock;  // &kvm->arch.tdp_mmu_pages_lock
  sync::SpinLock mn_invalidate_lock;  // &kvm->mn_invalidate_lock
  sync::RcuWait mn_memslots_update_rcuwait;
  sync::RwSemaphore mmu_notifier_slots_lock;  // bug switch mn-slots-rwsem only (D.3)
  sync::SpinLock gpc_lock;            // &kvm->gpc_lock
  sync::SpinLock irqfds_lock;         // &kvm->irqfds.lock
  sync::SpinLock tsc_write_lock;      // &kvm->arch.tsc_write_lock
  sync::RwSemaphore apicv_update_lock;  // &kvm->arch.apicv_update_lock

  // ---- lifetime ----
  std::atomic<VmState> state{VmState::kFree};
  std::atomic<int> users_count{0};
  std::atomic<bool> fd_open{false};
  std::atomic<bool> vm_bugged{false};  // KVM_BUG_ON fired / kvm_vm_dead(): ioctls fail -EIO
  std::atomic<bool> sev_active{false};
  std::atomic<bool> migration_in_progress{false};  // kvm->arch sev migration claim

  // ---- memslots (memslots*.cc) ----
  std::array<MemslotSet, 2> memslot_sets;
  std::atomic<MemslotSet*> active_memslots{nullptr};  // rcu_assign_pointer under mn_invalidate_lock
  std::array<Memslot, kMemslotPool> memslot_pool;     // slot objects; pool bookkeeping under
                                                      // slots_lock
  // Written under mn_invalidate_lock; read locklessly by the gpc retry check
  // (mmu_notifier_retry_cache), as upstream.
  std::atomic<int> mn_active_invalidate_count{0};

  // ---- MMU (page_fault.cc, mmu_notifier.cc) ----
  std::atomic<uint64_t> mmu_invalidate_seq{0};  // written under mmu_lock, read locklessly
  int mmu_invalidate_in_progress HV_GUARDED_BY(mmu_lock) = 0;
  uint32_t mmu_invalidate_range_start HV_GUARDED_BY(mmu_lock) = ~0u;
  uint32_t mmu_invalidate_range_end HV_GUARDED_BY(mmu_lock) = ~0u;
  // SPTEs: gfn -> pfn (0 = none). Installed under mmu_lock (read: atomically), zapped under it.
  std::array<std::atomic<uint32_t>, kGfnLimit> sptes{};
  // kvm->arch.shadow_root_allocated / memslots_have_rmaps: written under slots_arch_lock,
  // read with smp_load_acquire.
  std::atomic<bool> shadow_root_allocated{false};
  std::atomic<bool> tdp_mmu_root_linked{false};  // first TDP fault links a page table
  std::atomic<uint32_t> nx_huge_pages_zaps{0};

  // ---- io buses (kvm->buses, published under slots_lock, read under srcu) ----
  std::atomic<uint32_t> io_bus_devices{0};  // bit per device (ioeventfd addresses, irqchip)
  bool irqchip_created HV_GUARDED_BY(lock) = false;

  // ---- filters (PMU event filter, MSR filter): pointer + object state, srcu-protected ----
  std::atomic<uint32_t> msr_filter_gen{0};
  std::atomic<uint32_t> msr_filter_freed_gen{0};  // every generation <= this is freed
  std::atomic<uint32_t> pmu_filter_gen{0};

  // ---- APICv ----
  uint32_t apicv_inhibit_reasons HV_GUARDED_BY(apicv_update_lock) = 0;

  // ---- irq routing and irqfds ----
  std::array<IrqRoutingTable, kIrqRoutingPool> irq_routing_tables{};
  std::atomic<IrqRoutingTable*> irq_routing{nullptr};
  std::array<Irqfd, kMaxIrqfds> irqfds;

  // ---- everything else ----
  HostMm mm;
  XenVm xen;
  std::array<GfnToPfnCache, kMaxGpcs> gpcs;
  // kvm->gpc_list: the active caches the MMU notifier invalidates (kvm_gpc_activate adds,
  // kvm_gpc_deactivate removes). Capacity is reserved once, so no op allocates.
  std::vector<GfnToPfnCache*> gpc_list HV_GUARDED_BY(gpc_lock);
  std::array<Vcpu, kMaxVcpus> vcpus;
  Vcpu scratch_vcpu;  // the vCPU object kvm_vm_ioctl_create_vcpu builds before -EEXIST
  std::atomic<int> online_vcpus{0};
  int created_vcpus HV_GUARDED_BY(lock) = 0;

  // A vCPU that userspace can reach, or nullptr.
  Vcpu* GetVcpu(uint32_t i) {
    return i < kMaxVcpus && vcpus[i].online.load(std::memory_order_acquire) ? &vcpus[i] : nullptr;
  }
  // kvm_get_kvm(): the caller already holds a reference (or kvm_lock for a listed VM).
  void Get() { users_count.fetch_add(1, std::memory_order_relaxed); }
  // kvm_get_kvm_safe(): fails once the count reached zero (destroy pending).
  bool GetSafe();

  // Sets up the initial shape (the World constructor; no locks, no task).
  void InitForWorld(const WorldConfig& config, bool live);
  // A fresh struct kvm: no memslots, vCPUs, caches or routes (kvm_create_vm's initial state).
  // No locks: only for a slot nobody references.
  void ResetState();

 private:
  World* world_;
  int index_;
};

// kvm_put_kvm(): drops a reference; the last one runs kvm_destroy_vm on the calling task.
void KvmPut(World& world, Kvm& kvm);
// kvm_destroy_vm(): the last reference is gone.
void KvmDestroyVm(World& world, Kvm& kvm);

// KVM_BUG_ON(cond, kvm): a WARN that also marks the VM bugged. Reported as a model invariant
// with the stable name `invariant`. Returns `cond`.
bool KvmBugOn(Kvm& kvm, bool cond, const char* invariant, const char* detail,
              sync::Site site = sync::Site::Here());

}  // namespace hvfuzz::model
