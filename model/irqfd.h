// SPDX-License-Identifier: Apache-2.0
// Interrupt routing and irqfds (virt/kvm/irqchip.c, virt/kvm/eventfd.c). The routing table is
// published under kvm->irq_lock and read under kvm->irq_srcu; irqfds are eventfds whose wakeup
// callback (irqfd_wakeup, atomic, under the eventfd's wait-queue lock) injects through the
// routing entry, falling back to a work item (irqfd_inject) when the atomic path would block
// (a Xen event channel whose shared_info cache is invalid).
//
// Contract: routing tables are double-buffered (the inactive one is rewritten only after the
// irq_srcu grace period); irqfd fields are guarded as annotated. No allocation.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <string>

#include "model/sync/annotations.h"
#include "model/sync/spinlock.h"
#include "model/sync/wait_event.h"

namespace hvfuzz::model {

inline constexpr int kMaxGsis = 4;
inline constexpr int kMaxIrqfds = 2;

enum class IrqRouteType : uint8_t { kNone = 0, kMsi = 1, kXenEvtchn = 2 };
inline constexpr int kNumIrqRouteTypes = 3;

struct IrqRoutingEntry {
  IrqRouteType type = IrqRouteType::kNone;
  uint8_t port = 0;  // kXenEvtchn: port; vCPU 0
};

// struct kvm_irq_routing_table. A pool of them stands for kzalloc/kfree: a table retired by
// an update is free again only after that update's irq_srcu grace period.
struct IrqRoutingTable {
  enum : uint8_t { kFree = 0, kLive = 1, kRetired = 2 };
  std::array<IrqRoutingEntry, kMaxGsis> entries{};
  std::atomic<uint8_t> state{kFree};
};
inline constexpr int kIrqRoutingPool = 4;

// An eventfd bound to a GSI (struct kvm_kernel_irqfd plus its eventfd_ctx).
class Irqfd {
 public:
  explicit Irqfd(const std::string& label);

  sync::SpinLock wqh;        // the eventfd's ctx->wqh.lock
  sync::WaitQueue inject_done;  // flush_work(&irqfd->inject)

  // Whether the irqfd is on kvm->irqfds.items and queued on the eventfd (guarded by wqh for
  // the wakeup side; assign/deassign change it under both irqfds.lock and wqh).
  bool queued HV_GUARDED_BY(wqh) = false;
  // kvm->irqfds.items membership and the cached routing entry (irqfd_update); `active` and
  // `shutting_down` are guarded by kvm->irqfds.lock.
  bool active = false;
  bool shutting_down = false;
  uint8_t gsi = 0;
  std::atomic<uint8_t> entry_type{0};   // irq_entry, read by the wakeup (seqcount upstream)
  std::atomic<uint8_t> entry_port{0};
  std::atomic<int> inject_in_flight{0};

  void Init();
};

class Kvm;
class World;

// irqfd_update(): caches the routing entry of the irqfd's GSI; caller holds irqfds.lock (and
// irq_lock or irq_srcu for the routing table).
void IrqfdUpdate(Kvm& kvm, Irqfd& irqfd);
// kvm_set_irq_routing() with one entry changed: allocations, irq_lock (swap, irqfd updates
// under irqfds.lock), then synchronize_srcu_expedited(&kvm->irq_srcu) after unlocking.
int KvmSetIrqRouting(World& world, Kvm& kvm, uint32_t gsi, IrqRoutingEntry entry);
// kvm_irqfd_release(): deactivate every irqfd and wait for their shutdown (VM fd release).
void KvmIrqfdRelease(World& world, Kvm& kvm);
// kvm_set_irq() from the irqfd inject work: routing lookup under irq_srcu, then the entry's
// set function outside it.
int KvmSetIrq(World& world, Kvm& kvm, uint32_t gsi);

}  // namespace hvfuzz::model
