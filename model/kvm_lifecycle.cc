// SPDX-License-Identifier: Apache-2.0
// VM creation and destruction: kvm_dev_ioctl_create_vm / kvm_create_vm, kvm_vm_release and
// kvm_destroy_vm (virt/kvm/kvm_main.c; docs/kvm-locking.md C.8). kvm_destroy_vm runs on
// whichever task drops the last reference: an ioctl's fdput, the VM fd's release, or a
// vm_list walker's kvm_put_kvm after it dropped kvm_lock.
#include <cerrno>

#include "model/internal/op_handlers.h"
#include "model/kvm.h"
#include "model/kvm_global.h"
#include "model/sync/kernel_context.h"
#include "model/sync/task.h"

namespace hvfuzz::model {
namespace {

// mmu_notifier_register() on the VMM's mm: mmap_lock held for write; __mmu_notifier_register
// primes the reclaim -> invalidation dependency once.
void KvmInitMmuNotifier(World& world, Kvm& kvm) {
  HV_KERNEL_FUNCTION("kvm_init_mmu_notifier");
  KvmGlobal& g = world.global();
  kvm.mm.mmap_lock.DownWrite();
  g.fs_reclaim_map.Acquire();
  g.mmu_notifier_map.AcquireRelease();
  g.fs_reclaim_map.Release();
  kvm.mm.set_notifier_registered(true);
  kvm.mm.mmap_lock.UpWrite();
}

void PmNotifierRegister(World& world, Kvm& kvm, bool registered) {
  KvmGlobal& g = world.global();
  g.pm_chain_rwsem.DownWrite();
  g.pm_registered[kvm.index()] = registered;
  g.pm_chain_rwsem.UpWrite();
}

// kvm_uevent_notify_change(): counters under kvm_lock, then the uevent allocation outside it.
void KvmUeventNotifyChange(World& world, bool create) {
  HV_KERNEL_FUNCTION("kvm_uevent_notify_change");
  KvmGlobal& g = world.global();
  g.kvm_lock.Lock();
  if (create) {
    g.createvm_count++;
    g.active_vms++;
  } else {
    g.active_vms--;
  }
  g.kvm_lock.Unlock();
  (void)GfpKernelAlloc(world);  // kzalloc(env): failure only loses the uevent
}

int KvmCreateVm(World& world, Kvm& kvm) {
  HV_KERNEL_FUNCTION("kvm_create_vm");
  KvmGlobal& g = world.global();
  if (!GfpKernelAlloc(world)) return -ENOMEM;  // kvm_arch_alloc_vm
  kvm.ResetState();
  kvm.users_count.store(1, std::memory_order_relaxed);
  int r = KvmEnableVirtualization(world);
  if (r != 0) return r;
  KvmInitMmuNotifier(world, kvm);
  if (!GfpKernelAlloc(world)) {  // kvm_coalesced_mmio_init: alloc_page
    kvm.mm.set_notifier_registered(false);  // mmu_notifier_unregister
    KvmDisableVirtualization(world);
    return -ENOMEM;
  }
  g.kvm_lock.Lock();
  g.ListAdd(&kvm);
  g.kvm_lock.Unlock();
  StaticKeySlowInc(world, g.key_preempt_notifier);  // preempt_notifier_inc()
  PmNotifierRegister(world, kvm, true);             // kvm_init_pm_notifier()
  return 0;
}

}  // namespace

void KvmDestroyVm(World& world, Kvm& kvm) {
  HV_KERNEL_FUNCTION("kvm_destroy_vm");
  KvmGlobal& g = world.global();
  kvm.state.store(VmState::kDestroying, std::memory_order_relaxed);
  PmNotifierRegister(world, kvm, false);  // kvm_destroy_pm_notifier()
  KvmUeventNotifyChange(world, /*create=*/false);
  // Unlisting takes kvm_lock, so the last kvm_put_kvm must never run with kvm_lock held.
  g.kvm_lock.Lock();
  g.ListRemove(&kvm);
  g.kvm_lock.Unlock();
  // mmu_notifier_unregister(): no callback runs after it returns; an invalidation it cut
  // short may leave the count unbalanced, which KVM forcibly resets.
  kvm.mm.set_notifier_registered(false);
  kvm.mn_active_invalidate_count.store(0, std::memory_order_relaxed);
  // kvm_arch_destroy_vm (x86): __x86_set_memory_region() of the private slots under
  // slots_lock (size 0: nothing to delete in the model), Xen teardown, vCPU teardown.
  kvm.slots_lock.Lock();
  kvm.slots_lock.Unlock();
  KvmXenDestroyVm(world, kvm);
  for (Vcpu& vcpu : kvm.vcpus) {
    if (!vcpu.online.load(std::memory_order_relaxed)) continue;
    KvmXenDestroyVcpu(world, vcpu);  // kvm_arch_vcpu_destroy
    vcpu.online.store(false, std::memory_order_relaxed);
  }
  for (GfnToPfnCache& gpc : kvm.gpcs) GpcDeactivate(world, gpc);
  StaticKeySlowDec(world, g.key_preempt_notifier);  // preempt_notifier_dec()
  KvmDisableVirtualization(world);
  kvm.state.store(VmState::kFree, std::memory_order_release);
}

namespace internal {

// vm.create vm: KVM_CREATE_VM into VM slot `vm` (-EBUSY while the slot's previous VM lives).
int OpVmCreate(World& world, const OpArgs& a) {
  HV_KERNEL_FUNCTION("kvm_dev_ioctl_create_vm");
  if (a[0] >= kMaxVms) return -EINVAL;
  Kvm& kvm = world.vm(static_cast<int>(a[0]));
  VmState expected = VmState::kFree;
  if (!kvm.state.compare_exchange_strong(expected, VmState::kCreating)) return -EBUSY;
  int r = KvmCreateVm(world, kvm);
  if (r != 0) {
    kvm.state.store(VmState::kFree, std::memory_order_release);
    return r;
  }
  kvm.state.store(VmState::kLive, std::memory_order_release);
  KvmUeventNotifyChange(world, /*create=*/true);
  kvm.fd_open.store(true, std::memory_order_release);  // fd_install
  return 0;
}

// vm.destroy vm: the VMM closes the VM (kvm_vm_release): irqfds are released, then the
// file's reference is dropped; the VM is destroyed when no ioctl or walker holds another.
int OpVmDestroy(World& world, const OpArgs& a) {
  HV_KERNEL_FUNCTION("kvm_vm_release");
  if (a[0] >= kMaxVms) return -EBADF;
  Kvm& kvm = world.vm(static_cast<int>(a[0]));
  bool open = true;
  if (!kvm.fd_open.compare_exchange_strong(open, false)) return -EBADF;
  KvmIrqfdRelease(world, kvm);
  KvmPut(world, kvm);
  return 0;
}

}  // namespace internal
}  // namespace hvfuzz::model
