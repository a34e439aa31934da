// SPDX-License-Identifier: Apache-2.0
// vCPU creation: kvm_vm_ioctl_create_vcpu (virt/kvm/kvm_main.c), including the lockdep
// priming of kvm->lock -> vcpu->mutex (42a90008f890) and kvm_arch_vcpu_postcreate's TSC sync.
#include "model/vcpu.h"

#include <cerrno>

#include "model/internal/op_handlers.h"
#include "model/kvm.h"
#include "model/lock_classes.h"
#include "model/sync/task.h"

namespace hvfuzz::model {

Vcpu::Vcpu(Kvm& kvm, int index, const std::string& label)
    : mutex(lock_classes::kVcpuMutex, label),
      mp_state_lock(lock_classes::kMpStateLock, label),
      xen_vcpu_info(kvm, label + ".vinfo"),
      xen_runstate(kvm, label + ".runst"),
      xen_time_info(kvm, label + ".vtime"),
      kvm_(&kvm),
      index_(index) {}

void Vcpu::Init() HV_NO_THREAD_SAFETY_ANALYSIS {
  xen_vcpu_info.Init();
  xen_runstate.Init();
  xen_time_info.Init();
  online.store(false, std::memory_order_relaxed);
  requests.store(0, std::memory_order_relaxed);
  cpu.store(-1, std::memory_order_relaxed);
  evtchn_pending_sel.store(0, std::memory_order_relaxed);
  pv_time_active.store(false, std::memory_order_relaxed);
  guest_debug.store(false, std::memory_order_relaxed);
  apic_hw_enabled = true;
  srcu_idx = 0;
  mp_state = kMpStateRunnable;
  reset_pending = false;
  for (auto& g : dirty_gfns) g.store(0, std::memory_order_relaxed);
  dirty_head.store(0, std::memory_order_relaxed);
  dirty_reset.store(0, std::memory_order_relaxed);
}

namespace {

// kvm_arch_vcpu_postcreate(): vcpu->mutex (killable), then kvm_synchronize_tsc under the
// raw tsc_write_lock.
void KvmArchVcpuPostcreate(World& world, Vcpu& vcpu) {
  HV_KERNEL_FUNCTION("kvm_arch_vcpu_postcreate");
  if (!internal::LockKillable(world, vcpu.mutex)) return;
  {
    HV_KERNEL_FUNCTION("kvm_synchronize_tsc");
    vcpu.kvm().tsc_write_lock.LockIrq();
    vcpu.kvm().tsc_write_lock.UnlockIrq();
  }
  vcpu.mutex.Unlock();
}

}  // namespace

namespace internal {

// vcpu.create vm vcpu: KVM_CREATE_VCPU with id `vcpu`.
int OpVcpuCreate(World& world, const OpArgs& a) HV_NO_THREAD_SAFETY_ANALYSIS {
  HV_KERNEL_FUNCTION("kvm_vm_ioctl_create_vcpu");
  VmFile file(world, a[0]);
  if (file.error()) return file.error();
  Kvm& kvm = *file.kvm();
  if (a[1] >= kMaxVcpus) return -EINVAL;
  kvm.lock.Lock();
  if (kvm.created_vcpus >= kMaxVcpus) {  // kvm->max_vcpus
    kvm.lock.Unlock();
    return -EINVAL;
  }
  if (kvm.created_vcpus > kvm.online_vcpus.load(std::memory_order_relaxed)) {
    kvm.lock.Unlock();
    return -EAGAIN;  // model limit: one creation in flight per VM
  }
  // Each creation builds its own struct kvm_vcpu; one for an id that already exists (it fails
  // with -EEXIST below) builds the VM's scratch object instead.
  Vcpu* vcpu = kvm.vcpus[a[1]].online.load(std::memory_order_relaxed) ? &kvm.scratch_vcpu
                                                                      : &kvm.vcpus[a[1]];
  kvm.created_vcpus++;
  kvm.lock.Unlock();

  int r = 0;
  if (!GfpKernelAlloc(world) || !GfpKernelAlloc(world)) {  // kvm_vcpu_cache, run page
    r = -ENOMEM;
  } else {
    vcpu->Init();  // kvm_vcpu_init + kvm_arch_vcpu_create (kvm_xen_init_vcpu, gpc init)
    kvm.lock.Lock();
    // Teach lockdep that vcpu->mutex is taken inside kvm->lock (42a90008f890): the order
    // SEV migration and kvm_lock_all_vcpus rely on is then known before any vCPU ioctl.
    vcpu->mutex.Lock();
    vcpu->mutex.Unlock();
    if (vcpu == &kvm.scratch_vcpu || kvm.vcpus[a[1]].online.load(std::memory_order_relaxed)) {
      r = -EEXIST;
    } else if (!GfpKernelAlloc(world)) {  // xa_insert(GFP_KERNEL_ACCOUNT) under kvm->lock
      r = -ENOMEM;
    } else {
      // Publish only once fully set up: kvm_get_vcpu() readers need no lock.
      vcpu->online.store(true, std::memory_order_release);
      kvm.online_vcpus.fetch_add(1, std::memory_order_release);
    }
    kvm.lock.Unlock();
    if (r == 0) KvmArchVcpuPostcreate(world, *vcpu);
  }
  if (r != 0) {
    kvm.lock.Lock();
    kvm.created_vcpus--;
    kvm.lock.Unlock();
  }
  return r;
}

}  // namespace internal
}  // namespace hvfuzz::model
