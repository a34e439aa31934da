// SPDX-License-Identifier: Apache-2.0
// KvmGlobal: the host-wide state of kvm.ko and the kernel around it: vm_list under kvm_lock,
// kvm_usage_count under kvm_usage_lock, cpu_hotplug_lock (cpus_read_lock / the hotplug
// writer), static keys (jump_label_mutex), the PM notifier chain, the lockdep maps of direct
// reclaim and MMU-notifier invalidation, kernel memory mappings, and module parameters
// (nx_huge_pages).
//
// Contract: guarded as annotated; vm_list membership changes only under kvm_lock. A walker that
// drops kvm_lock must hold a reference on its cursor VM (kvm_get_kvm_safe under kvm_lock): the
// reference keeps the VM on the list, so the cursor's successor can be found after re-locking
// (ListNextWithRef). No allocation.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>

#include "model/host_memory.h"
#include "model/sync/annotations.h"
#include "model/sync/lockdep_map.h"
#include "model/sync/mutex.h"
#include "model/sync/percpu_rw_semaphore.h"
#include "model/sync/rw_semaphore.h"
#include "model/world.h"

namespace hvfuzz::model {

class Kvm;

enum class NxHugePages : uint8_t { kOff = 0, kOn = 1, kNever = 2 };

class KvmGlobal {
 public:
  KvmGlobal();

  sync::Mutex kvm_lock;                    // kvm_lock
  sync::Mutex kvm_usage_lock;              // kvm_usage_lock
  sync::PercpuRwSemaphore cpu_hotplug_lock;  // cpus_read_lock() / cpus_write_lock()
  sync::Mutex jump_label_mutex;            // jump_label_lock()
  sync::RwSemaphore pm_chain_rwsem;        // pm_chain_head.rwsem
  sync::LockdepMap fs_reclaim_map;         // __fs_reclaim_map
  sync::LockdepMap mmu_notifier_map;       // __mmu_notifier_invalidate_range_start_map

  HostMemory memory;

  // vm_list, in insertion order.
  std::array<Kvm*, kMaxVms> vm_list HV_GUARDED_BY(kvm_lock){};
  int vm_count HV_GUARDED_BY(kvm_lock) = 0;
  uint32_t createvm_count HV_GUARDED_BY(kvm_lock) = 0;  // kvm_createvm_count (uevents)
  int active_vms HV_GUARDED_BY(kvm_lock) = 0;           // kvm_active_vms

  int usage_count HV_GUARDED_BY(kvm_usage_lock) = 0;    // kvm_usage_count
  // CPUHP_AP_KVM_ONLINE registered (written under kvm_usage_lock + cpus_read_lock, read by the
  // hotplug writer).
  std::atomic<bool> cpuhp_registered{false};
  // The PM notifier chain: VM slots whose notifier is registered.
  std::array<bool, kMaxVms> pm_registered HV_GUARDED_BY(pm_chain_rwsem){};

  // Per host CPU: online (cpu_online_mask, written under cpus_write_lock) and virtualization
  // enabled (per-CPU, written by the CPU itself or under the hotplug/usage locks).
  std::array<std::atomic<bool>, kHostCpus> cpu_online{};
  std::array<std::atomic<bool>, kHostCpus> virt_enabled{};
  std::atomic<uint32_t> cpu_tsc_khz_updates{0};

  // Static keys: counts (static_key_slow_inc/dec; 0 <-> 1 transitions patch code under
  // cpus_read_lock + jump_label_mutex).
  std::atomic<int> key_kvm_xen_enabled{0};
  std::atomic<int> key_preempt_notifier{0};
  std::atomic<int> key_apic_hw_disabled{0};

  // Module parameter nx_huge_pages (written under nothing but its own param lock upstream).
  std::atomic<uint8_t> nx_huge_pages{static_cast<uint8_t>(NxHugePages::kOff)};
  std::atomic<bool> nx_hugepage_mitigation_hard_disabled{false};

  // Removes `kvm` from vm_list; returns false when it was not there.
  bool ListRemove(Kvm* kvm) HV_REQUIRES(kvm_lock);
  void ListAdd(Kvm* kvm) HV_REQUIRES(kvm_lock);
  // The first VM at or after position `from` whose reference could be taken (kvm_get_kvm_safe),
  // with that reference held; nullptr at the end of the list.
  Kvm* FirstWithRef(int from) HV_REQUIRES(kvm_lock);
  // The successor of `cursor` (on which the caller holds a reference, so it is still listed),
  // with a reference taken; nullptr at the end.
  Kvm* ListNextWithRef(Kvm* cursor) HV_REQUIRES(kvm_lock);

  void InitForWorld();
};

// kvm_enable_virtualization(): kvm_usage_lock; the first user registers the CPU-hotplug
// callbacks (cpuhp_setup_state: cpus_read_lock, kvm_online_cpu on every online CPU).
int KvmEnableVirtualization(World& world);
// kvm_disable_virtualization(): the last user removes them (cpuhp_remove_state).
void KvmDisableVirtualization(World& world);

// static_key_slow_inc(key): the 0 -> 1 transition patches code under cpus_read_lock() and
// jump_label_lock() (may sleep); later increments are atomic.
void StaticKeySlowInc(World& world, std::atomic<int>& key);
// static_key_slow_dec(key): the 1 -> 0 transition patches code the same way.
void StaticKeySlowDec(World& world, std::atomic<int>& key);

}  // namespace hvfuzz::model
