// SPDX-License-Identifier: Apache-2.0
// kvm->buses: devices registered under slots_lock with synchronize_srcu_expedited(&kvm->srcu)
// inside it (kvm_io_bus_register_dev; docs C.1), read by vCPUs under kvm->srcu. Users:
// KVM_IOEVENTFD (kvm_assign_ioeventfd_idx) and KVM_CREATE_IRQCHIP, whose kvm->lock ->
// slots_lock -> kvm->srcu(sync) chain is the upstream path that makes a kvm->srcu reader
// taking kvm->lock deadlock-prone (docs D.1, interleaving A).
#include <cerrno>

#include "model/apicv.h"
#include "model/internal/op_handlers.h"
#include "model/internal/vcpu_exits.h"
#include "model/irqfd.h"
#include "model/kvm.h"
#include "model/sync/task.h"

namespace hvfuzz::model {
namespace {

inline constexpr uint32_t kPicDevice = 1u << 4;
inline constexpr uint32_t kIoapicDevice = 1u << 5;

// kvm_io_bus_register_dev / kvm_io_bus_unregister_dev: a new bus array, published, and the
// old one freed after the kvm->srcu grace period. Caller holds slots_lock.
int KvmIoBusChange(World& world, Kvm& kvm, uint32_t device, bool add) {
  HV_KERNEL_FUNCTION(add ? "kvm_io_bus_register_dev" : "kvm_io_bus_unregister_dev");
  kvm.slots_lock.AssertHeld();
  if (!GfpKernelAlloc(world)) return -ENOMEM;  // kmalloc(new_bus, GFP_KERNEL_ACCOUNT)
  if (add) {
    kvm.io_bus_devices.fetch_or(device, std::memory_order_release);  // rcu_assign_pointer
  } else {
    kvm.io_bus_devices.fetch_and(~device, std::memory_order_release);
  }
  kvm.srcu.SynchronizeExpedited();
  return 0;  // kfree(bus)
}

// kvm_pic_init / kvm_ioapic_init: allocate, then register under slots_lock.
int RegisterUnderSlotsLock(World& world, Kvm& kvm, uint32_t device, bool add) {
  if (add && !GfpKernelAlloc(world)) return -ENOMEM;
  kvm.slots_lock.Lock();
  int r = KvmIoBusChange(world, kvm, device, add);
  kvm.slots_lock.Unlock();
  return r;
}

}  // namespace

void KvmIoBusWrite(Kvm& kvm, uint32_t addr) {
  HV_KERNEL_FUNCTION("kvm_io_bus_write");
  kvm.srcu.AssertHeld();
  (void)(kvm.io_bus_devices.load(std::memory_order_acquire) & (1u << (addr % 6)));
}

namespace internal {

// ioeventfd.assign vm addr assign: KVM_IOEVENTFD at device address `addr` (assign=1) or
// KVM_IOEVENTFD_FLAG_DEASSIGN.
int OpIoeventfd(World& world, const OpArgs& a) {
  VmFile file(world, a[0]);
  if (file.error()) return file.error();
  Kvm& kvm = *file.kvm();
  uint32_t device = 1u << (a[1] % 4);
  bool assign = (a[2] & 1) != 0;
  HV_KERNEL_FUNCTION(assign ? "kvm_assign_ioeventfd_idx" : "kvm_deassign_ioeventfd_idx");
  if (assign && !GfpKernelAlloc(world)) return -ENOMEM;  // kzalloc(ioeventfd)
  kvm.slots_lock.Lock();
  bool present = (kvm.io_bus_devices.load(std::memory_order_relaxed) & device) != 0;
  int r;
  if (assign) {
    r = present ? -EEXIST : KvmIoBusChange(world, kvm, device, true);
  } else {
    r = present ? KvmIoBusChange(world, kvm, device, false) : -ENOENT;
  }
  kvm.slots_lock.Unlock();
  return r;
}

// irqchip.create vm: KVM_CREATE_IRQCHIP (x86): under kvm->lock, the PIC and IOAPIC register
// their io-bus devices (slots_lock + synchronize_srcu) and the default routing is installed
// (irq_lock, then the irq_srcu grace period, still inside kvm->lock).
int OpIrqchipCreate(World& world, const OpArgs& a) HV_NO_THREAD_SAFETY_ANALYSIS {
  HV_KERNEL_FUNCTION("kvm_arch_vm_ioctl");
  VmFile file(world, a[0]);
  if (file.error()) return file.error();
  Kvm& kvm = *file.kvm();
  kvm.lock.Lock();
  int r = 0;
  if (kvm.irqchip_created) {
    r = -EEXIST;
  } else if (kvm.created_vcpus != 0) {
    r = -EINVAL;
  } else if ((r = RegisterUnderSlotsLock(world, kvm, kPicDevice, true)) == 0) {  // kvm_pic_init
    r = RegisterUnderSlotsLock(world, kvm, kIoapicDevice, true);                  // kvm_ioapic_init
    if (r == 0) r = KvmSetIrqRouting(world, kvm, 0, IrqRoutingEntry{});  // default routing
    if (r != 0) {
      RegisterUnderSlotsLock(world, kvm, kIoapicDevice, false);  // kvm_ioapic_destroy
      RegisterUnderSlotsLock(world, kvm, kPicDevice, false);     // kvm_pic_destroy
    }
  }
  if (r == 0) {
    kvm.irqchip_created = true;
    // kvm_clear_apicv_inhibit(kvm, APICV_INHIBIT_REASON_ABSENT).
    KvmSetOrClearApicvInhibit(kvm, kApicvInhibitAbsent, /*set=*/false);
  }
  kvm.lock.Unlock();
  return r;
}

}  // namespace internal
}  // namespace hvfuzz::model
