// SPDX-License-Identifier: Apache-2.0
// KVM_SET_PMU_EVENT_FILTER and KVM_X86_SET_MSR_FILTER (arch/x86/kvm/pmu.c, x86.c; docs C.11):
// the new filter is published under kvm->lock, and the old one freed after
// synchronize_srcu(&kvm->srcu), which runs AFTER kvm->lock is dropped (95744a90db18,
// 708f799d22fe, v6.3). vCPUs read the filters inside kvm->srcu.
#include <algorithm>
#include <cerrno>

#include "model/internal/op_handlers.h"
#include "model/internal/vcpu_exits.h"
#include "model/kvm.h"
#include "model/sync/kernel_context.h"
#include "model/sync/task.h"

namespace hvfuzz::model {
namespace {


int SetFilter(World& world, Kvm& kvm, bool msr) {
  std::atomic<uint32_t>& gen = msr ? kvm.msr_filter_gen : kvm.pmu_filter_gen;
  if (!GfpKernelAlloc(world)) return -ENOMEM;  // kzalloc(filter, GFP_KERNEL_ACCOUNT)
  kvm.lock.Lock();
  uint32_t old = gen.load(std::memory_order_relaxed);
  gen.store(old + 1, std::memory_order_release);  // rcu_replace_pointer
  kvm.lock.Unlock();
  // After dropping kvm->lock: every reader of the old filter has left kvm->srcu.
  kvm.srcu.SynchronizeExpedited();
  if (msr) {
    uint32_t freed = kvm.msr_filter_freed_gen.load(std::memory_order_relaxed);
    while (freed < old &&
           !kvm.msr_filter_freed_gen.compare_exchange_weak(freed, old, std::memory_order_release)) {
    }
  }
  for (Vcpu& v : kvm.vcpus) {
    if (v.online.load(std::memory_order_acquire)) {
      v.MakeRequest(msr ? kReqMsrFilterChanged : kReqPmu);
    }
  }
  return 0;  // kfree(old)
}

}  // namespace

void ReadSrcuFilter(Kvm& kvm, bool msr) {
  HV_KERNEL_FUNCTION(msr ? "kvm_msr_allowed" : "kvm_pmu_handle_event");
  int idx = kvm.srcu.ReadLock();
  uint32_t gen = (msr ? kvm.msr_filter_gen : kvm.pmu_filter_gen).load(std::memory_order_acquire);
  if (msr && gen != 0 && gen <= kvm.msr_filter_freed_gen.load(std::memory_order_acquire)) {
    sync::ReportInvariantViolation("srcu-object-freed-under-reader",
                                   "a vCPU dereferenced an MSR filter already freed");
  }
  kvm.srcu.ReadUnlock(idx);
}

namespace internal {

// pmu.set_event_filter vm: KVM_SET_PMU_EVENT_FILTER.
int OpPmuSetEventFilter(World& world, const OpArgs& a) {
  HV_KERNEL_FUNCTION("kvm_vm_ioctl_set_pmu_event_filter");
  VmFile file(world, a[0]);
  if (file.error()) return file.error();
  return SetFilter(world, *file.kvm(), /*msr=*/false);
}

// msr.set_filter vm: KVM_X86_SET_MSR_FILTER.
int OpMsrSetFilter(World& world, const OpArgs& a) {
  HV_KERNEL_FUNCTION("kvm_vm_ioctl_set_msr_filter");
  VmFile file(world, a[0]);
  if (file.error()) return file.error();
  return SetFilter(world, *file.kvm(), /*msr=*/true);
}

}  // namespace internal
}  // namespace hvfuzz::model
