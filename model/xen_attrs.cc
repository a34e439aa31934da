// SPDX-License-Identifier: Apache-2.0
// Xen configuration ioctls and the hypercall-page MSR (arch/x86/kvm/xen.c; docs C.7):
// KVM_XEN_HVM_CONFIG (static key under xen_lock), KVM_XEN_HVM_SET_ATTR SHARED_INFO (xen_lock ->
// kvm->srcu -> gpc activate, then kvm_xen_shared_info_init), KVM_XEN_VCPU_SET_ATTR (vcpu->mutex
// -> xen_lock -> kvm->srcu -> vCPU caches), the evtchn port table (IDR writes under xen_lock,
// synchronize_srcu after dropping it), and kvm_xen_write_hypercall_page (xen_lock inside a
// vCPU's kvm->srcu read section, which is why no kvm->srcu grace period may be waited for
// under xen_lock).
#include <cerrno>

#include "model/internal/op_handlers.h"
#include "model/internal/vcpu_exits.h"
#include "model/kvm.h"
#include "model/kvm_global.h"
#include "model/sync/kernel_context.h"
#include "model/sync/task.h"

namespace hvfuzz::model {
namespace {

inline constexpr uint32_t kInvalidGfnArg = kGfnLimit - 1;  // stands for KVM_XEN_INVALID_GFN

// kvm_xen_shared_info_init(): its own SRCU read section and the blocking consumer loop, then
// KVM_REQ_MASTERCLOCK_UPDATE to every vCPU. Caller holds xen_lock.
int KvmXenSharedInfoInit(World& world, Kvm& kvm) HV_REQUIRES(kvm.xen.xen_lock) {
  HV_KERNEL_FUNCTION("kvm_xen_shared_info_init");
  kvm.xen.xen_lock.AssertHeld();
  int idx = kvm.srcu.ReadLock();
  int r = GpcReadAndUse(world, kvm.xen.shinfo_cache, /*atomic=*/false, "kvm_xen_shared_info_init");
  kvm.srcu.ReadUnlock(idx);
  if (r != 0) return r;
  kvm.xen.wallclock_writes++;
  for (Vcpu& v : kvm.vcpus) {
    if (v.online.load(std::memory_order_acquire)) v.MakeRequest(kReqMasterclockUpdate);
  }
  return 0;
}

// Activate (gfn valid) or deactivate one cache, as the attribute setters do.
int SetCache(World& world, GfnToPfnCache& gpc, uint32_t gfn) {
  if (gfn == kInvalidGfnArg) {
    GpcDeactivate(world, gpc);
    return 0;
  }
  return GpcActivate(world, gpc, gfn);
}

}  // namespace

int KvmXenWriteHypercallPage(World& world, Vcpu& vcpu, bool long_mode) {
  HV_KERNEL_FUNCTION("kvm_xen_write_hypercall_page");
  Kvm& kvm = vcpu.kvm();
  int r = 0;
  kvm.xen.xen_lock.Lock();
  if (kvm.xen.long_mode != long_mode) {
    kvm.xen.long_mode = long_mode;
    // Re-initialize shared_info to put the wallclock in the right place.
    if (GpcActiveHint(kvm.xen.shinfo_cache) && KvmXenSharedInfoInit(world, kvm) != 0) r = 1;
  }
  kvm.xen.xen_lock.Unlock();
  return r;
}

void KvmXenDestroyVcpu(World& world, Vcpu& vcpu) {
  HV_KERNEL_FUNCTION("kvm_xen_destroy_vcpu");
  GpcDeactivate(world, vcpu.xen_runstate);
  GpcDeactivate(world, vcpu.xen_vcpu_info);
  GpcDeactivate(world, vcpu.xen_time_info);
}

void KvmXenDestroyVm(World& world, Kvm& kvm) {
  HV_KERNEL_FUNCTION("kvm_xen_destroy_vm");
  GpcDeactivate(world, kvm.xen.shinfo_cache);
  for (EvtchnPort& p : kvm.xen.ports) p.state.store(EvtchnPort::kFree, std::memory_order_release);
  // static_branch_slow_dec_deferred(&kvm_xen_enabled): the patching runs later from a work
  // item (not modelled); the count drops now.
  if (kvm.xen.configured.exchange(false)) {
    world.global().key_kvm_xen_enabled.fetch_sub(1, std::memory_order_relaxed);
  }
}

namespace internal {

// xen.hvm_config vm: KVM_XEN_HVM_CONFIG enabling the Xen MSR.
int OpXenHvmConfig(World& world, const OpArgs& a) {
  HV_KERNEL_FUNCTION("kvm_xen_hvm_config");
  VmFile file(world, a[0]);
  if (file.error()) return file.error();
  Kvm& kvm = *file.kvm();
  kvm.xen.xen_lock.Lock();
  if (!kvm.xen.configured.exchange(true)) {
    // static_branch_inc(&kvm_xen_enabled.key): cpus_read_lock + jump_label_lock under xen_lock.
    StaticKeySlowInc(world, world.global().key_kvm_xen_enabled);
  }
  kvm.xen.xen_lock.Unlock();
  return 0;
}

// xen.set_shinfo vm gfn: KVM_XEN_HVM_SET_ATTR(KVM_XEN_ATTR_TYPE_SHARED_INFO); gfn 127 =
// KVM_XEN_INVALID_GFN (deactivate).
int OpXenSetShinfo(World& world, const OpArgs& a) {
  HV_KERNEL_FUNCTION("kvm_xen_hvm_set_attr");
  VmFile file(world, a[0]);
  if (file.error()) return file.error();
  Kvm& kvm = *file.kvm();
  kvm.xen.xen_lock.Lock();
  int idx = kvm.srcu.ReadLock();
  int r = SetCache(world, kvm.xen.shinfo_cache, a[1] % kGfnLimit);
  kvm.srcu.ReadUnlock(idx);
  if (r == 0 && GpcActiveHint(kvm.xen.shinfo_cache)) r = KvmXenSharedInfoInit(world, kvm);
  kvm.xen.xen_lock.Unlock();
  return r;
}

// xen.set_vcpu_attr vm vcpu attr gfn: KVM_XEN_VCPU_SET_ATTR. attr 0 vcpu_info, 1 vcpu_time_info,
// 2 runstate address, 3 runstate update (non-atomic runstate write), 4 timer (fires at once:
// xen_timer_callback delivers the timer port in hard-IRQ context after the ioctl's locks).
int OpXenSetVcpuAttr(World& world, const OpArgs& a) HV_NO_THREAD_SAFETY_ANALYSIS {
  HV_KERNEL_FUNCTION("kvm_vcpu_ioctl");
  VcpuIoctl io(world, a[0], a[1]);
  if (io.error()) return io.error();
  Vcpu& vcpu = io.vcpu();
  Kvm& kvm = io.kvm();
  uint32_t attr = a[2] % 5;
  uint32_t gfn = a[3] % kGfnLimit;
  int r = 0;
  {
    HV_KERNEL_FUNCTION("kvm_xen_vcpu_set_attr");
    kvm.xen.xen_lock.Lock();
    int idx = kvm.srcu.ReadLock();
    switch (attr) {
      case 0:
        r = SetCache(world, vcpu.xen_vcpu_info, gfn);
        if (r == 0) vcpu.MakeRequest(kReqClockUpdate);
        break;
      case 1:
        r = SetCache(world, vcpu.xen_time_info, gfn);
        if (r == 0) vcpu.MakeRequest(kReqClockUpdate);
        break;
      case 2:
        r = SetCache(world, vcpu.xen_runstate, gfn);
        break;
      case 3:
        if (GpcActiveHint(vcpu.xen_runstate)) {
          HV_KERNEL_FUNCTION("kvm_xen_update_runstate_guest");
          r = GpcReadAndUse(world, vcpu.xen_runstate, /*atomic=*/false, "kvm_xen_update_runstate");
        }
        break;
      default:
        break;
    }
    kvm.srcu.ReadUnlock(idx);
    kvm.xen.xen_lock.Unlock();
  }
  if (attr == 4) {
    // xen_timer_callback(): hrtimer expiry in hard-IRQ context on this CPU; rwlock readers in
    // interrupt context are recursive (lockdep's read_lock_is_recursive()).
    HV_KERNEL_FUNCTION("xen_timer_callback");
    sync::Task& t = sync::CurrentTask();
    t.set_in_interrupt(true);
    XenEvtchn xe{static_cast<uint8_t>(gfn % kMaxEvtchnPorts), static_cast<uint8_t>(vcpu.index())};
    if (XenSetEvtchnFast(world, kvm, xe) == -EWOULDBLOCK) {
      vcpu.MakeRequest(kReqUnblock);  // atomic_inc(timer_pending) + kick
    }
    t.set_in_interrupt(false);
  }
  return r;
}

// xen.set_evtchn vm port vcpu assign: KVM_XEN_ATTR_TYPE_EVTCHN assign (kvm_xen_eventfd_assign)
// or deassign (kvm_xen_eventfd_deassign) of an in-kernel port delivering to `vcpu`.
int OpXenSetEvtchn(World& world, const OpArgs& a) {
  VmFile file(world, a[0]);
  if (file.error()) return file.error();
  Kvm& kvm = *file.kvm();
  if (a[1] >= kMaxEvtchnPorts) return -EINVAL;
  EvtchnPort& p = kvm.xen.ports[a[1]];
  if (a[3] & 1) {
    HV_KERNEL_FUNCTION("kvm_xen_eventfd_assign");
    if (!GfpKernelAlloc(world)) return -ENOMEM;  // kzalloc(evtchnfd)
    int r = 0;
    kvm.xen.xen_lock.Lock();
    // idr_alloc(..., GFP_KERNEL) under xen_lock.
    if (!GfpKernelAlloc(world)) {
      r = -ENOMEM;
    } else if (p.state.load(std::memory_order_relaxed) != EvtchnPort::kFree) {
      r = -EEXIST;
    } else {
      p.vcpu.store(static_cast<uint8_t>(a[2] % kMaxVcpus), std::memory_order_relaxed);
      p.state.store(EvtchnPort::kAssigned, std::memory_order_release);
    }
    kvm.xen.xen_lock.Unlock();
    return r;
  }
  HV_KERNEL_FUNCTION("kvm_xen_eventfd_deassign");
  kvm.xen.xen_lock.Lock();
  bool removed = p.state.load(std::memory_order_relaxed) == EvtchnPort::kAssigned;
  if (removed) p.state.store(EvtchnPort::kRemoved, std::memory_order_release);  // idr_remove
  kvm.xen.xen_lock.Unlock();
  if (!removed) return -ENOENT;
  // Outside xen_lock: kvm_xen_write_hypercall_page takes xen_lock inside kvm->srcu.
  kvm.srcu.Synchronize();
  p.state.store(EvtchnPort::kFree, std::memory_order_release);  // kfree(evtchnfd)
  return 0;
}

// xen.evtchn_reset vm: KVM_XEN_ATTR_TYPE_EVTCHN with KVM_XEN_EVTCHN_RESET.
int OpXenEvtchnReset(World& world, const OpArgs& a) {
  HV_KERNEL_FUNCTION("kvm_xen_eventfd_reset");
  VmFile file(world, a[0]);
  if (file.error()) return file.error();
  Kvm& kvm = *file.kvm();
  kvm.xen.xen_lock.Lock();
  // kmalloc_array(n, GFP_KERNEL) of the ports to free, under xen_lock.
  if (!GfpKernelAlloc(world)) {
    kvm.xen.xen_lock.Unlock();
    return -ENOMEM;
  }
  uint32_t removed = 0;
  for (uint32_t i = 0; i < kMaxEvtchnPorts; ++i) {
    EvtchnPort& p = kvm.xen.ports[i];
    if (p.state.load(std::memory_order_relaxed) != EvtchnPort::kAssigned) continue;
    p.state.store(EvtchnPort::kRemoved, std::memory_order_release);
    removed |= 1u << i;
  }
  kvm.xen.xen_lock.Unlock();
  // "synchronize_srcu() cannot be called inside the xen_lock critical section".
  kvm.srcu.Synchronize();
  for (uint32_t i = 0; i < kMaxEvtchnPorts; ++i) {
    if (removed & (1u << i)) kvm.xen.ports[i].state.store(EvtchnPort::kFree);
  }
  return 0;
}

// xen.write_hypercall_page vm vcpu long_mode: the guest writes the Xen hypercall MSR (a vCPU
// exit inside KVM_RUN: vcpu->mutex + kvm->srcu).
int OpXenWriteHypercallPage(World& world, const OpArgs& a) HV_NO_THREAD_SAFETY_ANALYSIS {
  HV_KERNEL_FUNCTION("kvm_vcpu_ioctl");
  VcpuIoctl io(world, a[0], a[1]);
  if (io.error()) return io.error();
  return KvmArchVcpuIoctlRun(world, io.vcpu(), VcpuExit::kXenHypercallPage, a[2]);
}

}  // namespace internal
}  // namespace hvfuzz::model
