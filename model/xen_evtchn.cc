// SPDX-License-Identifier: Apache-2.0
// Xen event-channel delivery, following arch/x86/kvm/xen.c (docs/kvm-locking.md C.6):
//   fast path  kvm_xen_set_evtchn_fast: srcu_read_lock; read_lock(shinfo gpc); check; set the
//              pending bit; unlock; then (not nested) read_lock(vcpu_info gpc) for the
//              per-vCPU bits; -EWOULDBLOCK when the shinfo cache is not usable;
//   slow path  kvm_xen_set_evtchn: retry the fast path, refreshing the shinfo cache in between,
//              with no lock around the loop (v6.9+; the D.1 switch puts kvm->lock back).
#include "model/xen_evtchn.h"

#include <cerrno>

#include "model/internal/op_handlers.h"
#include "model/kvm.h"
#include "model/lock_classes.h"
#include "model/sync/kernel_context.h"
#include "model/sync/task.h"

namespace hvfuzz::model {

XenVm::XenVm(Kvm& kvm, const std::string& label)
    : xen_lock(lock_classes::kXenLock, label), shinfo_cache(kvm, label) {}

void XenVm::Init(bool configured_at_start) HV_NO_THREAD_SAFETY_ANALYSIS {
  shinfo_cache.Init();
  configured.store(configured_at_start, std::memory_order_relaxed);
  long_mode = false;
  wallclock_writes = 0;
  for (EvtchnPort& p : ports) {
    p.state.store(EvtchnPort::kFree, std::memory_order_relaxed);
    p.vcpu.store(0, std::memory_order_relaxed);
  }
  shinfo_pending.store(0, std::memory_order_relaxed);
}

int XenSetEvtchnFast(World& world, Kvm& kvm, const XenEvtchn& xe) HV_NO_THREAD_SAFETY_ANALYSIS {
  HV_KERNEL_FUNCTION("kvm_xen_set_evtchn_fast");
  Vcpu* vcpu = kvm.GetVcpu(xe.vcpu);
  if (vcpu == nullptr || xe.port >= kMaxEvtchnPorts) return -EINVAL;
  int rc = -EWOULDBLOCK;
  bool kick = false;
  int idx = kvm.srcu.ReadLock();
  GfnToPfnCache* gpc = &kvm.xen.shinfo_cache;
  // read_lock_irqsave: a blocking reader even on the atomic path (a proposed trylock was not
  // applied upstream).
  gpc->lock.ReadLockIrq();
  if (GpcCheck(*gpc)) {
    GpcUseKhva(world, *gpc, "kvm_xen_set_evtchn_fast");
    uint32_t bit = 1u << xe.port;
    if (kvm.xen.shinfo_pending.fetch_or(bit, std::memory_order_acq_rel) & bit) {
      rc = 0;  // already pending
    } else {
      rc = 1;  // delivered to the shared_info bitmap
      // Switch to the vCPU's vcpu_info: the shinfo lock is dropped first, the two gpc locks
      // are never nested here.
      gpc->lock.ReadUnlockIrq();
      gpc = &vcpu->xen_vcpu_info;
      gpc->lock.ReadLockIrq();
      if (!GpcCheck(*gpc)) {
        // vcpu_info unusable: set the bit in-kernel and let the vCPU deliver it itself.
        if (!(vcpu->evtchn_pending_sel.fetch_or(1, std::memory_order_acq_rel) & 1)) kick = true;
      } else {
        GpcUseKhva(world, *gpc, "kvm_xen_set_evtchn_fast");
      }
    }
  }
  gpc->lock.ReadUnlockIrq();
  kvm.srcu.ReadUnlock(idx);
  if (kick) vcpu->MakeRequest(kReqUnblock);  // kvm_vcpu_kick: no lock
  return rc;
}

int XenSetEvtchn(World& world, Kvm& kvm, const XenEvtchn& xe) HV_NO_THREAD_SAFETY_ANALYSIS {
  HV_KERNEL_FUNCTION("kvm_xen_set_evtchn");
  int rc = XenSetEvtchnFast(world, kvm, xe);
  if (rc != -EWOULDBLOCK) return rc;
  // (kthread_use_mm(kvm->mm) when called from the irqfd workqueue: no lock.)
  bool bug = world.bugs().xen_evtchn_kvm_lock;
  // Bug switch xen-evtchn-kvm-lock (docs D.1): 14243b387137 serialized this loop with
  // kvm->lock, and 2fd6df2f2b47 "KVM: x86/xen: intercept EVTCHNOP_send from guests" (v6.0)
  // made it reachable inside vcpu->mutex + kvm->srcu; 310bc39546a4 (v6.2-rc4) switched to the
  // xen_lock leaf, and v6.9 dropped the lock once the gpc serialized itself (6addfcf27139).
  if (bug) kvm.lock.Lock();
  do {
    // The page may be reinstated by another thread before we get here: retry the fast path
    // first, and refresh only when it still cannot deliver.
    rc = XenSetEvtchnFast(world, kvm, xe);
    if (rc != -EWOULDBLOCK) break;
    int idx = kvm.srcu.ReadLock();
    rc = GpcRefresh(world, kvm.xen.shinfo_cache);
    kvm.srcu.ReadUnlock(idx);
  } while (rc == 0);
  if (bug) kvm.lock.Unlock();
  return rc;
}

int XenHcallEvtchnSend(World& world, Vcpu& vcpu, uint32_t port) {
  HV_KERNEL_FUNCTION("kvm_xen_hcall_evtchn_send");
  Kvm& kvm = vcpu.kvm();
  kvm.srcu.AssertHeld();
  if (port >= kMaxEvtchnPorts) return -EINVAL;
  // idr_find under RCU; the evtchnfd stays alive for the vCPU's kvm->srcu read section.
  EvtchnPort& p = kvm.xen.ports[port];
  if (p.state.load(std::memory_order_acquire) != EvtchnPort::kAssigned) {
    return -ENOENT;  // not KVM's: exit to user space
  }
  XenEvtchn xe{static_cast<uint8_t>(port), p.vcpu.load(std::memory_order_relaxed)};
  int rc = XenSetEvtchn(world, kvm, xe);
  if (p.state.load(std::memory_order_acquire) == EvtchnPort::kFree) {
    sync::ReportInvariantViolation("srcu-object-freed-under-reader",
                                   "an evtchnfd was freed while a vCPU used it inside kvm->srcu");
  }
  return rc < 0 && rc != -ENOTCONN ? rc : 0;
}

namespace internal {

// xen.evtchn_send vm vcpu port: the guest's EVTCHNOP_send hypercall, inside KVM_RUN.
int OpXenEvtchnSend(World& world, const OpArgs& a) HV_NO_THREAD_SAFETY_ANALYSIS {
  HV_KERNEL_FUNCTION("kvm_vcpu_ioctl");
  VcpuIoctl io(world, a[0], a[1]);
  if (io.error()) return io.error();
  Vcpu& vcpu = io.vcpu();
  Kvm& kvm = io.kvm();
  HV_KERNEL_FUNCTION("kvm_xen_hypercall");
  vcpu.srcu_idx = kvm.srcu.ReadLock();
  int r = XenHcallEvtchnSend(world, vcpu, a[2]);
  kvm.srcu.ReadUnlock(vcpu.srcu_idx);
  return r;
}

// xen.hvm_evtchn_send vm port: KVM_XEN_HVM_EVTCHN_SEND from the VMM (no lock held).
int OpXenHvmEvtchnSend(World& world, const OpArgs& a) {
  HV_KERNEL_FUNCTION("kvm_xen_hvm_evtchn_send");
  VmFile file(world, a[0]);
  if (file.error()) return file.error();
  Kvm& kvm = *file.kvm();
  if (a[1] >= kMaxEvtchnPorts) return -EINVAL;
  XenEvtchn xe{static_cast<uint8_t>(a[1]), static_cast<uint8_t>(a[2] % kMaxVcpus)};
  int r = XenSetEvtchn(world, kvm, xe);
  return r < 0 ? r : 0;
}

}  // namespace internal
}  // namespace hvfuzz::model
