// SPDX-License-Identifier: Apache-2.0
// APICv inhibit updates and the local APIC's hardware-enable static key (arch/x86/kvm/x86.c,
// lapic.c; docs C.12: kvm_lapic_set_base flips apic_hw_disabled from inside KVM_RUN, i.e.
// cpus_read_lock inside kvm->srcu).
#include "model/apicv.h"

#include <cerrno>

#include "model/internal/op_handlers.h"
#include "model/internal/vcpu_exits.h"
#include "model/kvm.h"
#include "model/kvm_global.h"
#include "model/mmu_notifier.h"
#include "model/sync/task.h"

namespace hvfuzz::model {
namespace {

// __kvm_set_or_clear_apicv_inhibit(): caller holds apicv_update_lock for write.
void SetOrClearLocked(Kvm& kvm, uint32_t reason, bool set) HV_REQUIRES(kvm.apicv_update_lock) {
  HV_KERNEL_FUNCTION("__kvm_set_or_clear_apicv_inhibit");
  kvm.apicv_update_lock.AssertHeld();
  uint32_t old_reasons = kvm.apicv_inhibit_reasons;
  uint32_t new_reasons = set ? (old_reasons | reason) : (old_reasons & ~reason);
  if ((old_reasons != 0) != (new_reasons != 0)) {
    // Kick every vCPU before publishing the new reasons (vcpu_enter_guest's sanity check).
    for (Vcpu& v : kvm.vcpus) {
      if (v.online.load(std::memory_order_acquire)) v.MakeRequest(kReqApicvUpdate);
    }
    kvm.apicv_inhibit_reasons = new_reasons;
    if (new_reasons != 0) {
      int idx = kvm.srcu.ReadLock();
      KvmZapGfnRange(kvm, kApicAccessGfn, kApicAccessGfn + 1);
      kvm.srcu.ReadUnlock(idx);
    }
  } else {
    kvm.apicv_inhibit_reasons = new_reasons;
  }
}

}  // namespace

void KvmSetOrClearApicvInhibit(Kvm& kvm, uint32_t reason, bool set) {
  HV_KERNEL_FUNCTION("kvm_set_or_clear_apicv_inhibit");
  kvm.apicv_update_lock.DownWrite();
  SetOrClearLocked(kvm, reason, set);
  kvm.apicv_update_lock.UpWrite();
}

void KvmLapicSetBase(World& world, Vcpu& vcpu, bool enable) HV_NO_THREAD_SAFETY_ANALYSIS {
  HV_KERNEL_FUNCTION("kvm_lapic_set_base");
  vcpu.mutex.AssertHeld();
  if (vcpu.apic_hw_enabled == enable) return;
  vcpu.apic_hw_enabled = enable;
  if (enable) {
    // static_branch_slow_dec_deferred(&apic_hw_disabled): the patching is deferred to a work
    // item (not modelled); the count drops now.
    world.global().key_apic_hw_disabled.fetch_sub(1, std::memory_order_relaxed);
  } else {
    // static_branch_inc(&apic_hw_disabled.key): cpus_read_lock() inside kvm->srcu (the edge
    // of the 2025 kvm_lock cycle, docs D.2).
    StaticKeySlowInc(world, world.global().key_apic_hw_disabled);
  }
}

namespace internal {

// apicv.inhibit vm vcpu set: KVM_SET_GUEST_DEBUG toggling KVM_GUESTDBG_BLOCKIRQ, which
// (un)inhibits APICv for the whole VM.
int OpApicvInhibit(World& world, const OpArgs& a) HV_NO_THREAD_SAFETY_ANALYSIS {
  HV_KERNEL_FUNCTION("kvm_vcpu_ioctl");
  VcpuIoctl io(world, a[0], a[1]);
  if (io.error()) return io.error();
  Kvm& kvm = io.kvm();
  HV_KERNEL_FUNCTION("kvm_arch_vcpu_guestdbg_update_apicv_inhibit");
  io.vcpu().guest_debug.store((a[2] & 1) != 0, std::memory_order_relaxed);
  kvm.apicv_update_lock.DownWrite();
  bool set = false;
  for (Vcpu& v : kvm.vcpus) {
    if (v.online.load(std::memory_order_acquire) && v.guest_debug.load()) set = true;
  }
  SetOrClearLocked(kvm, kApicvInhibitBlockIrq, set);
  kvm.apicv_update_lock.UpWrite();
  return 0;
}

}  // namespace internal
}  // namespace hvfuzz::model
