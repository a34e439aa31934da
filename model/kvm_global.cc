// SPDX-License-Identifier: Apache-2.0
#include "model/kvm_global.h"

#include "model/kvm.h"
#include "model/lock_classes.h"
#include "model/sync/kernel_context.h"
#include "model/sync/task.h"

namespace hvfuzz::model {

namespace lc = lock_classes;

KvmGlobal::KvmGlobal()
    : kvm_lock(lc::kKvmLock),
      kvm_usage_lock(lc::kKvmUsageLock),
      cpu_hotplug_lock(lc::kCpuHotplugLock),
      jump_label_mutex(lc::kJumpLabelMutex),
      pm_chain_rwsem(lc::kPmChainRwsem),
      fs_reclaim_map(lc::kFsReclaimMap),
      mmu_notifier_map(lc::kMmuNotifierMap) {}

void KvmGlobal::InitForWorld() HV_NO_THREAD_SAFETY_ANALYSIS {
  for (int cpu = 0; cpu < kHostCpus; ++cpu) {
    cpu_online[cpu].store(true, std::memory_order_relaxed);
    virt_enabled[cpu].store(false, std::memory_order_relaxed);
  }
}

void KvmGlobal::ListAdd(Kvm* kvm) {
  kvm_lock.AssertHeld();
  if (vm_count < kMaxVms) vm_list[vm_count++] = kvm;
}

bool KvmGlobal::ListRemove(Kvm* kvm) {
  kvm_lock.AssertHeld();
  for (int i = 0; i < vm_count; ++i) {
    if (vm_list[i] != kvm) continue;
    for (int j = i; j + 1 < vm_count; ++j) vm_list[j] = vm_list[j + 1];
    vm_list[--vm_count] = nullptr;
    return true;
  }
  return false;
}

Kvm* KvmGlobal::FirstWithRef(int from) {
  kvm_lock.AssertHeld();
  for (int i = from; i < vm_count; ++i) {
    // kvm_get_kvm_safe(): a VM whose last reference is gone is still listed until
    // kvm_destroy_vm takes kvm_lock to unlist it; skip it rather than resurrect it.
    if (vm_list[i]->GetSafe()) return vm_list[i];
  }
  return nullptr;
}

Kvm* KvmGlobal::ListNextWithRef(Kvm* cursor) {
  kvm_lock.AssertHeld();
  for (int i = 0; i < vm_count; ++i) {
    if (vm_list[i] == cursor) return FirstWithRef(i + 1);
  }
  // The caller's reference keeps `cursor` listed; not finding it is a model bug.
  sync::ReportInvariantViolation("vm-list-cursor-unlisted",
                                 "a referenced VM vanished from vm_list during a walk");
  return nullptr;
}

void StaticKeySlowInc(World& world, std::atomic<int>& key) {
  HV_KERNEL_FUNCTION("static_key_slow_inc");
  // The fast path (atomic_inc_not_zero) needs no lock; only 0 -> 1 patches text.
  int v = key.load(std::memory_order_relaxed);
  while (v > 0) {
    if (key.compare_exchange_weak(v, v + 1, std::memory_order_relaxed)) return;
  }
  KvmGlobal& g = world.global();
  g.cpu_hotplug_lock.DownRead();
  g.jump_label_mutex.Lock();
  key.fetch_add(1, std::memory_order_relaxed);
  g.jump_label_mutex.Unlock();
  g.cpu_hotplug_lock.UpRead();
}

void StaticKeySlowDec(World& world, std::atomic<int>& key) {
  HV_KERNEL_FUNCTION("static_key_slow_dec");
  int v = key.load(std::memory_order_relaxed);
  if (v <= 0) return;
  while (v > 1) {
    if (key.compare_exchange_weak(v, v - 1, std::memory_order_relaxed)) return;
  }
  KvmGlobal& g = world.global();
  g.cpu_hotplug_lock.DownRead();
  g.jump_label_mutex.Lock();
  key.fetch_sub(1, std::memory_order_relaxed);
  g.jump_label_mutex.Unlock();
  g.cpu_hotplug_lock.UpRead();
}

}  // namespace hvfuzz::model
