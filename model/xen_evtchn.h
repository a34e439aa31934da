// SPDX-License-Identifier: Apache-2.0
// Xen event channels (arch/x86/kvm/xen.c): the VM-wide Xen state (xen_lock, the shared_info
// cache, the evtchn_ports table) and delivery: the atomic fast path under the shinfo gpc read
// lock (kvm_xen_set_evtchn_fast), the sleepable slow path that refreshes the cache
// (kvm_xen_set_evtchn), EVTCHNOP_send from a vCPU (kvm_xen_hcall_evtchn_send) and the
// KVM_XEN_HVM_EVTCHN_SEND ioctl.
//
// Contract: port entries are published under xen_lock and read locklessly by the hypercall
// path (idr_find under RCU, object kept alive by the vCPU's kvm->srcu read section), so their
// state is atomic. No allocation.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <string>

#include "model/gfn_to_pfn_cache.h"
#include "model/sync/mutex.h"

namespace hvfuzz::model {

inline constexpr int kMaxEvtchnPorts = 4;

class Kvm;
class Vcpu;
class World;

// One kvm->arch.xen.evtchn_ports entry (struct evtchnfd).
struct EvtchnPort {
  enum : uint8_t { kFree = 0, kAssigned = 1, kRemoved = 2 };  // kRemoved: awaiting the SRCU
                                                               // grace period before kfree
  std::atomic<uint8_t> state{kFree};
  std::atomic<uint8_t> vcpu{0};
};

class XenVm {
 public:
  XenVm(Kvm& kvm, const std::string& label);

  sync::Mutex xen_lock;          // &kvm->arch.xen.xen_lock
  GfnToPfnCache shinfo_cache;    // kvm->arch.xen.shinfo_cache

  std::atomic<bool> configured{false};  // KVM_XEN_HVM_CONFIG done (static key counted)
  bool long_mode HV_GUARDED_BY(xen_lock) = false;
  uint32_t wallclock_writes HV_GUARDED_BY(xen_lock) = 0;
  std::array<EvtchnPort, kMaxEvtchnPorts> ports;
  std::atomic<uint32_t> shinfo_pending{0};  // evtchn_pending bits in the shared_info page

  void Init(bool configured_at_start);
};

// The xen_evtchn delivery target of a port or irq routing entry.
struct XenEvtchn {
  uint8_t port = 0;
  uint8_t vcpu = 0;
};

// kvm_xen_set_evtchn_fast(): 0 delivered or already pending, -EWOULDBLOCK when a cache check
// failed (caller must take the slow path). Never sleeps.
int XenSetEvtchnFast(World& world, Kvm& kvm, const XenEvtchn& xe);
// kvm_xen_set_evtchn(): fast path, then the slow path that refreshes the shinfo cache. Sleeps.
int XenSetEvtchn(World& world, Kvm& kvm, const XenEvtchn& xe);
// kvm_xen_destroy_vm() / kvm_xen_destroy_vcpu(): deactivate the caches, drop the ports.
void KvmXenDestroyVm(World& world, Kvm& kvm);
void KvmXenDestroyVcpu(World& world, Vcpu& vcpu);
// kvm_xen_hcall_evtchn_send(): EVTCHNOP_send from `vcpu`, inside vcpu->mutex and kvm->srcu.
int XenHcallEvtchnSend(World& world, Vcpu& vcpu, uint32_t port);

}  // namespace hvfuzz::model
