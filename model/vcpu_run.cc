// SPDX-License-Identifier: Apache-2.0
// KVM_RUN (docs/kvm-locking.md C.3, C.12): kvm_vcpu_ioctl takes vcpu->mutex (killable);
// kvm_arch_vcpu_ioctl_run enters kvm->srcu, processes requests in vcpu_enter_guest, leaves the
// SRCU read section around guest entry, handles the exit inside it again, and may be
// preempted after the exit (the preempt notifier updates the Xen runstate in atomic context).
// One KVM_RUN handles one exit; RET_PF_RETRY counts as handled (the guest faults again on its
// next KVM_RUN).
#include <cerrno>

#include "model/gfn_to_pfn_cache.h"
#include "model/internal/op_handlers.h"
#include "model/internal/vcpu_exits.h"
#include "model/kvm.h"
#include "model/kvm_global.h"
#include "model/page_fault.h"
#include "model/sync/kernel_context.h"
#include "model/sync/task.h"
#include "model/sync/wait_event.h"

namespace hvfuzz::model {
namespace {

// kvm_update_masterclock(): pvclock update under the raw tsc_write_lock (+ pvclock_sc), then
// KVM_REQ_CLOCK_UPDATE to every vCPU.
void KvmUpdateMasterclock(Kvm& kvm) {
  HV_KERNEL_FUNCTION("kvm_update_masterclock");
  kvm.tsc_write_lock.LockIrq();
  kvm.tsc_write_lock.UnlockIrq();
  for (Vcpu& v : kvm.vcpus) {
    if (v.online.load(std::memory_order_acquire)) v.MakeRequest(kReqClockUpdate);
  }
}

// kvm_guest_time_update(): publishes kvmclock into the Xen vcpu_info / vcpu_time_info caches
// (kvm_setup_guest_pvclock: the blocking consumer loop of C.5).
void KvmGuestTimeUpdate(World& world, Vcpu& vcpu) {
  HV_KERNEL_FUNCTION("kvm_guest_time_update");
  if (GpcActiveHint(vcpu.xen_vcpu_info)) {
    GpcReadAndUse(world, vcpu.xen_vcpu_info, /*atomic=*/false, "kvm_setup_guest_pvclock");
  }
  if (GpcActiveHint(vcpu.xen_time_info)) {
    GpcReadAndUse(world, vcpu.xen_time_info, /*atomic=*/false, "kvm_setup_guest_pvclock");
  }
}

// The request loop of vcpu_enter_guest(), inside vcpu->mutex and kvm->srcu.
int ProcessRequests(World& world, Vcpu& vcpu) {
  HV_KERNEL_FUNCTION("vcpu_enter_guest");
  Kvm& kvm = vcpu.kvm();
  if (vcpu.CheckRequest(kReqVcpuReset)) {
    // kvm_reset_vcpu() (arm64): the reset state PSCI CPU_ON left under mp_state_lock.
    vcpu.mp_state_lock.Lock();
    vcpu.reset_pending = false;
    vcpu.mp_state = kMpStateRunnable;
    vcpu.mp_state_lock.Unlock();
  }
  if (vcpu.CheckRequest(kReqMasterclockUpdate)) KvmUpdateMasterclock(kvm);
  if (vcpu.CheckRequest(kReqClockUpdate)) KvmGuestTimeUpdate(world, vcpu);
  if (vcpu.CheckRequest(kReqApicvUpdate)) {
    HV_KERNEL_FUNCTION("kvm_vcpu_update_apicv");
    kvm.apicv_update_lock.DownRead();
    kvm.apicv_update_lock.UpRead();
  }
  if (vcpu.CheckRequest(kReqPmu)) ReadSrcuFilter(kvm, /*msr=*/false);
  if (vcpu.CheckRequest(kReqMsrFilterChanged)) ReadSrcuFilter(kvm, /*msr=*/true);
  if (vcpu.evtchn_pending_sel.exchange(0, std::memory_order_acq_rel) != 0 &&
      GpcActiveHint(vcpu.xen_vcpu_info)) {
    // kvm_xen_inject_pending_events(): moves in-kernel pending bits into vcpu_info.
    GpcReadAndUse(world, vcpu.xen_vcpu_info, /*atomic=*/false, "kvm_xen_inject_pending_events");
  }
  vcpu.CheckRequest(kReqUnblock);
  if (vcpu.CheckRequest(kReqDirtyRingSoftFull)) return -EAGAIN;  // KVM_EXIT_DIRTY_RING_FULL
  return 0;
}

// kvm_sched_out() -> kvm_arch_vcpu_put(): the vCPU task is preempted after an exit. Runs in
// the scheduler (atomic), enters kvm->srcu for the memslot generation check, and updates the
// Xen runstate with trylocks only (kvm_xen_update_runstate_guest(v, atomic=true)).
void KvmSchedOut(World& world, Vcpu& vcpu) {
  HV_KERNEL_FUNCTION("kvm_arch_vcpu_put");
  sync::Task& t = sync::CurrentTask();
  t.LocalIrqDisable();
  t.PreemptDisable();
  int idx = vcpu.kvm().srcu.ReadLock();
  if (vcpu.kvm().xen.configured.load(std::memory_order_relaxed) &&
      GpcActiveHint(vcpu.xen_runstate)) {
    HV_KERNEL_FUNCTION("kvm_xen_update_runstate_guest");
    GpcReadAndUse(world, vcpu.xen_runstate, /*atomic=*/true, "kvm_xen_runstate_set_preempted");
  }
  vcpu.kvm().srcu.ReadUnlock(idx);
  t.PreemptEnable();
  t.LocalIrqEnable();
}

int HandleExit(World& world, Vcpu& vcpu, VcpuExit exit, uint32_t arg) HV_REQUIRES(vcpu.mutex) {
  switch (exit) {
    case VcpuExit::kEptViolation:
      return KvmTdpPageFault(world, vcpu, arg, /*write=*/true) < 0 ? -EFAULT : 0;
    case VcpuExit::kNestedFault:
      return KvmNestedPageFault(world, vcpu, arg, /*write=*/true) < 0 ? -EFAULT : 0;
    case VcpuExit::kApicBaseWrite:
      KvmLapicSetBase(world, vcpu, (arg & 1) != 0);
      return 0;
    case VcpuExit::kHlt: {
      // kvm_vcpu_halt(): SRCU is dropped while blocked; the model's guest wakes at once.
      HV_KERNEL_FUNCTION("kvm_vcpu_halt");
      Kvm& kvm = vcpu.kvm();
      kvm.srcu.ReadUnlock(vcpu.srcu_idx);
      sync::CondResched();
      vcpu.srcu_idx = kvm.srcu.ReadLock();
      return 0;
    }
    case VcpuExit::kMmio:
      KvmIoBusWrite(vcpu.kvm(), arg);
      return 0;
    case VcpuExit::kMsrAccess:
      ReadSrcuFilter(vcpu.kvm(), /*msr=*/true);  // kvm_msr_allowed()
      return 0;
    case VcpuExit::kXenHypercallPage:
      return KvmXenWriteHypercallPage(world, vcpu, (arg & 1) != 0);
    case VcpuExit::kPreempted:
      return 0;  // handled after the SRCU section (KvmSchedOut)
  }
  return 0;
}

}  // namespace

int KvmArchVcpuIoctlRun(World& world, Vcpu& vcpu, VcpuExit exit, uint32_t arg) {
  HV_KERNEL_FUNCTION("kvm_arch_vcpu_ioctl_run");
  vcpu.mutex.AssertHeld();
  Kvm& kvm = vcpu.kvm();
  vcpu.cpu.store(sync::CurrentTask().id() % kHostCpus, std::memory_order_relaxed);  // vcpu_load
  vcpu.srcu_idx = kvm.srcu.ReadLock();  // kvm_vcpu_srcu_read_lock
  int r = ProcessRequests(world, vcpu);
  if (r == 0) {
    // Guest entry and exit: kvm->srcu is not held while the guest runs.
    kvm.srcu.ReadUnlock(vcpu.srcu_idx);
    sync::CondResched();
    if (exit == VcpuExit::kPreempted) KvmSchedOut(world, vcpu);
    vcpu.srcu_idx = kvm.srcu.ReadLock();
    r = HandleExit(world, vcpu, exit, arg);
  }
  kvm.srcu.ReadUnlock(vcpu.srcu_idx);
  return r;
}

namespace internal {

// vcpu.run vm vcpu exit arg: one KVM_RUN that handles one guest exit.
int OpVcpuRun(World& world, const OpArgs& a) HV_NO_THREAD_SAFETY_ANALYSIS {
  HV_KERNEL_FUNCTION("kvm_vcpu_ioctl");
  VcpuIoctl io(world, a[0], a[1]);
  if (io.error()) return io.error();
  return KvmArchVcpuIoctlRun(world, io.vcpu(), static_cast<VcpuExit>(a[2] % kNumVcpuExits),
                             a[3]);
}

}  // namespace internal
}  // namespace hvfuzz::model
