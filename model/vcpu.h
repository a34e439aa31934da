// SPDX-License-Identifier: Apache-2.0
// Vcpu: struct kvm_vcpu, reduced to what the locking cares about: vcpu->mutex (held across
// every vCPU ioctl), the request bits other threads set (kvm_make_request), the host CPU it last
// ran on, the per-vCPU Xen caches, arm64's mp_state_lock, and the dirty ring.
//
// Contract: request bits, `online`, `cpu` and the dirty ring are atomics (other threads read or
// set them without vcpu->mutex, as upstream); the rest is guarded as annotated. No allocation.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <string>

#include "model/gfn_to_pfn_cache.h"
#include "model/sync/mutex.h"
#include "model/sync/spinlock.h"

namespace hvfuzz::model {

class Kvm;

// KVM_REQ_* bits the model uses.
enum VcpuRequest : uint32_t {
  kReqClockUpdate = 1u << 0,         // KVM_REQ_CLOCK_UPDATE
  kReqMasterclockUpdate = 1u << 1,   // KVM_REQ_MASTERCLOCK_UPDATE
  kReqApicvUpdate = 1u << 2,         // KVM_REQ_APICV_UPDATE
  kReqPmu = 1u << 3,                 // KVM_REQ_PMU
  kReqMsrFilterChanged = 1u << 4,    // KVM_REQ_MSR_FILTER_CHANGED
  kReqVcpuReset = 1u << 5,           // KVM_REQ_VCPU_RESET (arm64 PSCI CPU_ON)
  kReqDirtyRingSoftFull = 1u << 6,   // KVM_REQ_DIRTY_RING_SOFT_FULL
  kReqUnblock = 1u << 7,             // KVM_REQ_UNBLOCK (Xen evtchn kick)
};

inline constexpr int kDirtyRingSize = 4;
inline constexpr int kMpStateRunnable = 0;
inline constexpr int kMpStateStopped = 1;

class Vcpu {
 public:
  Vcpu(Kvm& kvm, int index, const std::string& label);

  Kvm& kvm() const { return *kvm_; }
  int index() const { return index_; }

  sync::Mutex mutex;              // &vcpu->mutex
  sync::SpinLock mp_state_lock;   // &vcpu->arch.mp_state_lock (arm64/RISC-V)

  // Xen per-vCPU caches (vcpu->arch.xen.*_cache).
  GfnToPfnCache xen_vcpu_info;
  GfnToPfnCache xen_runstate;   // runstate areas never straddle a page in the model
  GfnToPfnCache xen_time_info;

  std::atomic<bool> online{false};   // reachable through kvm_get_vcpu()
  std::atomic<uint32_t> requests{0};
  std::atomic<int> cpu{-1};          // vcpu->cpu: host CPU of the last vcpu_load
  std::atomic<uint32_t> evtchn_pending_sel{0};  // Xen: in-kernel pending bits

  // Written under vcpu->mutex; read without it by the PM notifier and the APICv inhibit
  // walk (kvm_arch_suspend_notifier, kvm_arch_vcpu_guestdbg_update_apicv_inhibit).
  std::atomic<bool> pv_time_active{false};
  std::atomic<bool> guest_debug{false};
  bool apic_hw_enabled HV_GUARDED_BY(mutex) = true;
  int srcu_idx HV_GUARDED_BY(mutex) = 0;   // vcpu->srcu_idx (kvm_vcpu_srcu_read_lock)

  int mp_state HV_GUARDED_BY(mp_state_lock) = kMpStateRunnable;
  bool reset_pending HV_GUARDED_BY(mp_state_lock) = false;

  // Dirty ring (kvm_dirty_ring): the vCPU pushes gfns, KVM_RESET_DIRTY_RINGS harvests them.
  std::array<std::atomic<uint32_t>, kDirtyRingSize> dirty_gfns{};
  std::atomic<uint32_t> dirty_head{0};   // pushed so far
  std::atomic<uint32_t> dirty_reset{0};  // harvested so far

  void MakeRequest(uint32_t req) { requests.fetch_or(req, std::memory_order_release); }
  bool CheckRequest(uint32_t req) {
    return (requests.fetch_and(~req, std::memory_order_acq_rel) & req) != 0;
  }
  // Initial state of a new vCPU (kvm_vcpu_init); no locks.
  void Init();

 private:
  Kvm* kvm_;
  int index_;
};

class World;

// kvm_dirty_ring_push() via mark_page_dirty_in_slot(): the running vCPU records a dirtied gfn;
// a full ring raises KVM_REQ_DIRTY_RING_SOFT_FULL. Lockless (per-vCPU ring).
void KvmDirtyRingPush(Vcpu& vcpu, uint32_t gfn);

}  // namespace hvfuzz::model
