// SPDX-License-Identifier: Apache-2.0
// KVM_SET_GSI_ROUTING: kvm_set_irq_routing (virt/kvm/irqchip.c; docs C.11). The new table is
// built outside any lock, published under irq_lock together with the irqfd updates, and the
// old one is freed only after synchronize_srcu_expedited(&kvm->irq_srcu), which runs after
// irq_lock is dropped (in every version upstream).
#include <cerrno>

#include "model/internal/op_handlers.h"
#include "model/irqfd.h"
#include "model/kvm.h"
#include "model/sync/task.h"

namespace hvfuzz::model {
namespace {

// kvm_irq_routing_update(): re-evaluate every irqfd's cached entry, under irqfds.lock.
void KvmIrqRoutingUpdate(Kvm& kvm) {
  HV_KERNEL_FUNCTION("kvm_irq_routing_update");
  kvm.irq_lock.AssertHeld();
  kvm.irqfds_lock.LockIrq();
  for (Irqfd& irqfd : kvm.irqfds) {
    if (irqfd.active) IrqfdUpdate(kvm, irqfd);
  }
  kvm.irqfds_lock.UnlockIrq();
}

IrqRoutingTable* AllocTable(Kvm& kvm) {
  for (IrqRoutingTable& t : kvm.irq_routing_tables) {
    uint8_t expected = IrqRoutingTable::kFree;
    if (t.state.compare_exchange_strong(expected, IrqRoutingTable::kRetired)) return &t;
  }
  return nullptr;
}

}  // namespace

int KvmSetIrqRouting(World& world, Kvm& kvm, uint32_t gsi, IrqRoutingEntry entry) {
  HV_KERNEL_FUNCTION("kvm_set_irq_routing");
  // kzalloc of the table and of each entry (GFP_KERNEL_ACCOUNT), before any lock.
  if (!GfpKernelAlloc(world) || !GfpKernelAlloc(world)) return -ENOMEM;
  IrqRoutingTable* fresh = AllocTable(kvm);
  if (fresh == nullptr) return -ENOMEM;
  kvm.irq_lock.Lock();
  IrqRoutingTable* old = kvm.irq_routing.load(std::memory_order_relaxed);
  fresh->entries = old->entries;
  fresh->entries[gsi % kMaxGsis] = entry;
  fresh->state.store(IrqRoutingTable::kLive, std::memory_order_release);
  kvm.irq_routing.store(fresh, std::memory_order_release);  // rcu_assign_pointer
  KvmIrqRoutingUpdate(kvm);
  old->state.store(IrqRoutingTable::kRetired, std::memory_order_release);
  kvm.irq_lock.Unlock();
  // The grace period runs outside irq_lock: irq_srcu readers (irqfd injection) never wait
  // for irq_lock, and nobody waits for irq_srcu while holding it.
  kvm.irq_srcu.SynchronizeExpedited();
  old->state.store(IrqRoutingTable::kFree, std::memory_order_release);  // kfree(old)
  return 0;
}

namespace internal {

// irq.set_routing vm gsi type port: KVM_SET_GSI_ROUTING changing one GSI's entry to
// type 0 none, 1 MSI, 2 Xen event channel `port` (vCPU 0).
int OpIrqSetRouting(World& world, const OpArgs& a) {
  HV_KERNEL_FUNCTION("kvm_vm_ioctl_set_gsi_routing");
  VmFile file(world, a[0]);
  if (file.error()) return file.error();
  IrqRoutingEntry entry;
  entry.type = static_cast<IrqRouteType>(a[2] % kNumIrqRouteTypes);
  entry.port = static_cast<uint8_t>(a[3] % kMaxEvtchnPorts);
  return KvmSetIrqRouting(world, *file.kvm(), a[1], entry);
}

}  // namespace internal
}  // namespace hvfuzz::model
