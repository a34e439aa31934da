// SPDX-License-Identifier: Apache-2.0
// The dirty ring (virt/kvm/dirty_ring.c): vCPUs push dirtied gfns into their own ring without
// a lock; KVM_RESET_DIRTY_RINGS harvests every ring under slots_lock, re-protecting each gfn
// under mmu_lock (kvm_reset_dirty_gfn -> kvm_arch_mmu_enable_log_dirty_pt_masked).
#include <cerrno>

#include "model/internal/op_handlers.h"
#include "model/kvm.h"
#include "model/memslots.h"
#include "model/mmu_notifier.h"
#include "model/sync/task.h"

namespace hvfuzz::model {

void KvmDirtyRingPush(Vcpu& vcpu, uint32_t gfn) {
  uint32_t head = vcpu.dirty_head.load(std::memory_order_relaxed);
  if (head - vcpu.dirty_reset.load(std::memory_order_acquire) >= kDirtyRingSize) {
    vcpu.MakeRequest(kReqDirtyRingSoftFull);  // exits with KVM_EXIT_DIRTY_RING_FULL
    return;
  }
  vcpu.dirty_gfns[head % kDirtyRingSize].store(gfn, std::memory_order_relaxed);
  vcpu.dirty_head.store(head + 1, std::memory_order_release);
}

namespace internal {

// dirty_ring.reset vm: KVM_RESET_DIRTY_RINGS.
int OpDirtyRingReset(World& world, const OpArgs& a) {
  HV_KERNEL_FUNCTION("kvm_vm_ioctl_reset_dirty_pages");
  VmFile file(world, a[0]);
  if (file.error()) return file.error();
  Kvm& kvm = *file.kvm();
  int cleared = 0;
  kvm.slots_lock.Lock();
  for (Vcpu& vcpu : kvm.vcpus) {
    if (!vcpu.online.load(std::memory_order_acquire)) continue;
    HV_KERNEL_FUNCTION("kvm_dirty_ring_reset");
    uint32_t head = vcpu.dirty_head.load(std::memory_order_acquire);
    for (uint32_t i = vcpu.dirty_reset.load(std::memory_order_relaxed); i != head; ++i) {
      uint32_t gfn = vcpu.dirty_gfns[i % kDirtyRingSize].load(std::memory_order_relaxed);
      // kvm_reset_dirty_gfn: the memslot is looked up under slots_lock.
      const Memslot* slot = FindMemslotByGfn(KvmMemslots(kvm), gfn);
      if (slot != nullptr) {
        kvm.mmu_lock.WriteLock();
        ZapSptes(kvm, gfn, gfn + 1);  // write-protect again
        kvm.mmu_lock.WriteUnlock();
      }
      ++cleared;
    }
    vcpu.dirty_reset.store(head, std::memory_order_release);
  }
  kvm.slots_lock.Unlock();
  return cleared > 0 ? 0 : 0;  // kvm_flush_remote_tlbs: no lock
}

}  // namespace internal
}  // namespace hvfuzz::model
