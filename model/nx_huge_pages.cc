// SPDX-License-Identifier: Apache-2.0
// The nx_huge_pages module parameter (set_nx_huge_pages, arch/x86/kvm/mmu/mmu.c; docs C.8,
// D.2). Changing it zaps every VM's MMU under that VM's slots_lock.
//
// Default (the fixed walker, the shape of the Jan 2025 RFC): never hold kvm_lock across a
// mutex. For each VM:
//   1. under kvm_lock, take a reference on the cursor VM (kvm_get_kvm_safe, skipping VMs whose
//      last reference is already gone) and drop kvm_lock;
//   2. slots_lock, kvm_mmu_zap_all_fast, unlock;
//   3. under kvm_lock, find the cursor's successor and reference it. The cursor is still
//      listed because we hold its reference (only kvm_destroy_vm unlists, and it runs after the
//      last reference); nothing else about the list is trusted across the unlocked window;
//   4. drop kvm_lock, then kvm_put_kvm(cursor), which may destroy it and take kvm_lock itself.
// The bug switch kvm-lock-slots-lock restores upstream's walk under kvm_lock.
#include <cerrno>

#include "model/internal/op_handlers.h"
#include "model/kvm.h"
#include "model/kvm_global.h"
#include "model/page_fault.h"
#include "model/sync/task.h"

namespace hvfuzz::model {
namespace {

void ZapVm(Kvm& kvm) {
  kvm.slots_lock.Lock();
  KvmMmuZapAllFast(kvm);
  kvm.slots_lock.Unlock();
  kvm.nx_huge_pages_zaps.fetch_add(1, std::memory_order_relaxed);  // vhost_task_wake(recovery)
}

}  // namespace

namespace internal {

// nx_huge_pages.set value: write "off" (0), "force" (1) or "never" (2) to the parameter.
int OpNxHugePagesSet(World& world, const OpArgs& a) HV_NO_THREAD_SAFETY_ANALYSIS {
  HV_KERNEL_FUNCTION("set_nx_huge_pages");
  KvmGlobal& g = world.global();
  if (g.nx_hugepage_mitigation_hard_disabled.load(std::memory_order_relaxed)) return -EPERM;
  auto value = static_cast<NxHugePages>(a[0] % 3);
  bool new_val = value == NxHugePages::kOn;
  bool old_val = g.nx_huge_pages.load(std::memory_order_relaxed) ==
                 static_cast<uint8_t>(NxHugePages::kOn);
  if (value == NxHugePages::kNever) {
    g.kvm_lock.Lock();
    if (g.vm_count != 0) {
      g.kvm_lock.Unlock();
      return -EBUSY;
    }
    g.nx_hugepage_mitigation_hard_disabled.store(true, std::memory_order_relaxed);
    g.kvm_lock.Unlock();
  }
  g.nx_huge_pages.store(static_cast<uint8_t>(new_val ? NxHugePages::kOn : NxHugePages::kOff));
  if (new_val == old_val) return 0;

  if (world.bugs().kvm_lock_slots_lock) {
    // Bug switch kvm-lock-slots-lock (docs D.2): the walk since b8e8c8303ff2 "kvm: mmu:
    // ITLB_MULTIHIT mitigation" (v5.4) holds kvm_lock across slots_lock; the Jan 2025 RFC
    // "KVM: x86: fix usage of kvm_lock in set_nx_huge_pages()" (not merged) drops it.
    g.kvm_lock.Lock();
    for (int i = 0; i < g.vm_count; ++i) ZapVm(*g.vm_list[i]);
    g.kvm_lock.Unlock();
    return 0;
  }
  g.kvm_lock.Lock();
  Kvm* kvm = g.FirstWithRef(0);
  g.kvm_lock.Unlock();
  while (kvm != nullptr) {
    ZapVm(*kvm);
    g.kvm_lock.Lock();
    Kvm* next = g.ListNextWithRef(kvm);
    g.kvm_lock.Unlock();
    // Put after unlocking: the last reference runs kvm_destroy_vm, which takes kvm_lock.
    KvmPut(world, *kvm);
    kvm = next;
  }
  return 0;
}

}  // namespace internal
}  // namespace hvfuzz::model
