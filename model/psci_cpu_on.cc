// SPDX-License-Identifier: Apache-2.0
// One vCPU starting another: arm64 PSCI CPU_ON (kvm_psci_vcpu_on, arch/arm64/kvm/psci.c) and
// RISC-V SBI HART_START. Since 2023 the source vCPU (inside its own vcpu->mutex, in KVM_RUN)
// takes only the target's mp_state_lock spinlock to set the reset state and mp_state, then
// kicks it; the target applies KVM_REQ_VCPU_RESET on its next KVM_RUN. (Before 0acc7239c20a
// "KVM: arm64: Avoid vcpu->mutex v. kvm->lock inversion in CPU_ON" this ran under kvm->lock.)
#include <cerrno>

#include "model/internal/op_handlers.h"
#include "model/kvm.h"
#include "model/sync/task.h"

namespace hvfuzz::model::internal {

// vcpu.psci_cpu_on vm vcpu target: vCPU `vcpu` calls PSCI CPU_ON for vCPU `target`
// (target == vcpu: CPU_OFF of itself).
int OpVcpuPsciCpuOn(World& world, const OpArgs& a) HV_NO_THREAD_SAFETY_ANALYSIS {
  HV_KERNEL_FUNCTION("kvm_vcpu_ioctl");
  VcpuIoctl io(world, a[0], a[1]);
  if (io.error()) return io.error();
  Vcpu& source = io.vcpu();
  Vcpu* target = io.kvm().GetVcpu(a[2]);  // kvm_mpidr_to_vcpu
  if (target == nullptr) return -EINVAL;  // PSCI_RET_INVALID_PARAMS
  if (target == &source) {
    // PSCI CPU_OFF of the caller (kvm_arm_vcpu_power_off): the way a vCPU becomes stopped.
    HV_KERNEL_FUNCTION("kvm_arm_vcpu_power_off");
    source.mp_state_lock.Lock();
    source.mp_state = kMpStateStopped;
    source.mp_state_lock.Unlock();
    return 0;
  }
  HV_KERNEL_FUNCTION("kvm_psci_vcpu_on");
  int r = 0;
  target->mp_state_lock.Lock();
  if (target->mp_state != kMpStateStopped) {
    r = -EEXIST;  // PSCI_RET_ALREADY_ON
  } else {
    target->reset_pending = true;
    target->MakeRequest(kReqVcpuReset);
    // The reset request must be visible before the RUNNABLE state (smp_wmb).
    target->mp_state = kMpStateRunnable;
  }
  target->mp_state_lock.Unlock();
  return r;  // kvm_vcpu_wake_up(target): rcuwait wake, no lock
}

}  // namespace hvfuzz::model::internal
