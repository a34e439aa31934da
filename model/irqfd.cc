// SPDX-License-Identifier: Apache-2.0
// irqfds (virt/kvm/eventfd.c; docs/kvm-locking.md B.2, C.6):
//   assign   kvm_irqfd_assign: irqfds.lock -> irq_srcu read (irqfd_update, list add), then
//            vfs_poll queues the irqfd on the eventfd's wait queue, still inside irq_srcu;
//   signal   eventfd_signal -> irqfd_wakeup under the eventfd's wqh lock (IRQs off; hard-IRQ
//            context for a device interrupt): irq_srcu read, kvm_arch_set_irq_inatomic, and the
//            inject work (irqfd_inject -> kvm_set_irq) when that would block;
//   deassign kvm_irqfd_deassign: irqfds.lock, deactivate; irqfd_shutdown:
//            synchronize_srcu_expedited(irq_srcu) with no lock held, dequeue, flush the inject.
#include "model/irqfd.h"

#include <cerrno>

#include "model/internal/op_handlers.h"
#include "model/kvm.h"
#include "model/lock_classes.h"
#include "model/sync/kernel_context.h"
#include "model/sync/task.h"

namespace hvfuzz::model {

Irqfd::Irqfd(const std::string& label)
    : wqh(lock_classes::kEventfdWqh, label), inject_done(lock_classes::kIrqfdInjectWork, label) {}

void Irqfd::Init() HV_NO_THREAD_SAFETY_ANALYSIS {
  queued = false;
  active = false;
  shutting_down = false;
  gsi = 0;
  entry_type.store(0, std::memory_order_relaxed);
  entry_port.store(0, std::memory_order_relaxed);
  inject_in_flight.store(0, std::memory_order_relaxed);
}

void IrqfdUpdate(Kvm& kvm, Irqfd& irqfd) {
  HV_KERNEL_FUNCTION("irqfd_update");
  kvm.irqfds_lock.AssertHeld();
  const IrqRoutingTable* table = kvm.irq_routing.load(std::memory_order_acquire);
  const IrqRoutingEntry& e = table->entries[irqfd.gsi % kMaxGsis];
  irqfd.entry_type.store(static_cast<uint8_t>(e.type), std::memory_order_release);
  irqfd.entry_port.store(e.port, std::memory_order_release);
}

int KvmSetIrq(World& world, Kvm& kvm, uint32_t gsi) {
  HV_KERNEL_FUNCTION("kvm_set_irq");
  int idx = kvm.irq_srcu.ReadLock();
  const IrqRoutingTable* table = kvm.irq_routing.load(std::memory_order_acquire);
  IrqRoutingEntry e = table->entries[gsi % kMaxGsis];
  if (table->state.load(std::memory_order_acquire) == IrqRoutingTable::kFree) {
    sync::ReportInvariantViolation("srcu-object-freed-under-reader",
                                   "an irq routing table was freed inside an irq_srcu reader");
  }
  kvm.irq_srcu.ReadUnlock(idx);
  // The entry's set function runs outside irq_srcu, on a copy.
  if (e.type == IrqRouteType::kXenEvtchn) {
    return XenSetEvtchn(world, kvm, XenEvtchn{e.port, 0});  // evtchn_set_fn
  }
  return 0;  // kvm_set_msi / irqchip pins: no lock the model names
}

namespace {

// irqfd_inject(): the work item, on a kworker (here: the signalling task, after it left the
// wakeup context).
void IrqfdInject(World& world, Kvm& kvm, Irqfd& irqfd) {
  HV_KERNEL_FUNCTION("irqfd_inject");
  KvmSetIrq(world, kvm, irqfd.gsi);
  irqfd.inject_in_flight.fetch_sub(1, std::memory_order_acq_rel);
  irqfd.inject_done.WakeUp();
}

// irqfd_shutdown(): the cleanup work that kvm_irqfd_deassign / kvm_irqfd_release flush.
void IrqfdShutdown(Kvm& kvm, Irqfd& irqfd) {
  HV_KERNEL_FUNCTION("irqfd_shutdown");
  // Synchronize with irqfd_wakeup's use of irq_entry, and with an assign still polling.
  kvm.irq_srcu.SynchronizeExpedited();
  irqfd.wqh.LockIrq();  // eventfd_ctx_remove_wait_queue
  irqfd.queued = false;
  irqfd.wqh.UnlockIrq();
  // flush_work(&irqfd->inject): no new injection can be queued any more.
  irqfd.inject_done.WaitEvent(
      [&] { return irqfd.inject_in_flight.load(std::memory_order_acquire) == 0; });
  kvm.irqfds_lock.LockIrq();  // the object may now be reused (kfree)
  irqfd.shutting_down = false;
  kvm.irqfds_lock.UnlockIrq();
}

// irqfd_deactivate() under irqfds.lock: off the list, shutdown queued.
bool IrqfdDeactivate(Kvm& kvm, Irqfd& irqfd) {
  kvm.irqfds_lock.AssertHeld();
  if (!irqfd.active) return false;
  irqfd.entry_type.store(0, std::memory_order_release);
  irqfd.active = false;
  irqfd.shutting_down = true;
  return true;
}

}  // namespace

void KvmIrqfdRelease(World& world, Kvm& kvm) {
  HV_KERNEL_FUNCTION("kvm_irqfd_release");
  (void)world;
  bool shut[kMaxIrqfds] = {};
  kvm.irqfds_lock.LockIrq();
  for (int i = 0; i < kMaxIrqfds; ++i) shut[i] = IrqfdDeactivate(kvm, kvm.irqfds[i]);
  kvm.irqfds_lock.UnlockIrq();
  for (int i = 0; i < kMaxIrqfds; ++i) {
    if (shut[i]) IrqfdShutdown(kvm, kvm.irqfds[i]);  // flush_workqueue(irqfd_cleanup_wq)
  }
}

namespace internal {

// irqfd.assign vm irqfd gsi assign: KVM_IRQFD binding eventfd `irqfd` to `gsi` (assign=1) or
// unbinding it (KVM_IRQFD_FLAG_DEASSIGN).
int OpIrqfd(World& world, const OpArgs& a) HV_NO_THREAD_SAFETY_ANALYSIS {
  VmFile file(world, a[0]);
  if (file.error()) return file.error();
  Kvm& kvm = *file.kvm();
  if (a[1] >= kMaxIrqfds) return -EINVAL;
  Irqfd& irqfd = kvm.irqfds[a[1]];
  if ((a[3] & 1) == 0) {
    HV_KERNEL_FUNCTION("kvm_irqfd_deassign");
    kvm.irqfds_lock.LockIrq();
    bool shut = IrqfdDeactivate(kvm, irqfd);
    kvm.irqfds_lock.UnlockIrq();
    if (shut) IrqfdShutdown(kvm, irqfd);
    return 0;
  }
  HV_KERNEL_FUNCTION("kvm_irqfd_assign");
  if (!GfpKernelAlloc(world)) return -ENOMEM;  // kzalloc(irqfd, GFP_KERNEL_ACCOUNT)
  kvm.irqfds_lock.LockIrq();
  if (irqfd.active || irqfd.shutting_down) {
    kvm.irqfds_lock.UnlockIrq();
    return -EBUSY;  // this eventfd is used for another irq already
  }
  // The irq_srcu read section covers the poll below: a concurrent shutdown's
  // synchronize_srcu waits for the irqfd to be queued before it dequeues it.
  int idx = kvm.irq_srcu.ReadLock();
  irqfd.gsi = static_cast<uint8_t>(a[2] % kMaxGsis);
  IrqfdUpdate(kvm, irqfd);
  irqfd.active = true;
  kvm.irqfds_lock.UnlockIrq();
  // vfs_poll -> irqfd_ptable_queue_proc -> add_wait_queue under the eventfd's wqh lock.
  irqfd.wqh.LockIrq();
  irqfd.queued = true;
  irqfd.wqh.UnlockIrq();
  kvm.irq_srcu.ReadUnlock(idx);
  return 0;
}

// irqfd.signal vm irqfd: a device interrupt signals eventfd `irqfd` (eventfd_signal in hard-IRQ
// context), running irqfd_wakeup and, if needed, the inject work.
int OpIrqfdSignal(World& world, const OpArgs& a) {
  HV_KERNEL_FUNCTION("eventfd_signal");
  VmFile file(world, a[0]);
  if (file.error()) return file.error();
  Kvm& kvm = *file.kvm();
  if (a[1] >= kMaxIrqfds) return -EINVAL;
  Irqfd& irqfd = kvm.irqfds[a[1]];
  sync::Task& t = sync::CurrentTask();
  bool queue_work = false;
  t.set_in_interrupt(true);
  irqfd.wqh.LockIrq();
  if (irqfd.queued) {
    HV_KERNEL_FUNCTION("irqfd_wakeup");
    int idx = kvm.irq_srcu.ReadLock();
    auto type = static_cast<IrqRouteType>(irqfd.entry_type.load(std::memory_order_acquire));
    uint8_t port = irqfd.entry_port.load(std::memory_order_acquire);
    // kvm_arch_set_irq_inatomic(): MSI is delivered at once, a Xen port by the fast path;
    // anything else (or a fast path that would block) goes to the inject work.
    int r = -EWOULDBLOCK;
    if (type == IrqRouteType::kMsi) r = 0;
    if (type == IrqRouteType::kXenEvtchn) r = XenSetEvtchnFast(world, kvm, XenEvtchn{port, 0});
    if (r == -EWOULDBLOCK) {
      irqfd.inject_in_flight.fetch_add(1, std::memory_order_acq_rel);  // schedule_work
      queue_work = true;
    }
    kvm.irq_srcu.ReadUnlock(idx);
  }
  irqfd.wqh.UnlockIrq();
  t.set_in_interrupt(false);
  if (queue_work) IrqfdInject(world, kvm, irqfd);
  return 0;
}

}  // namespace internal
}  // namespace hvfuzz::model
