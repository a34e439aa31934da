// SPDX-License-Identifier: Apache-2.0
// The operation table (index = op code; names are a compatibility contract) and Execute(), the
// one path from a program's OpCall to a model entry point and back to "user space".
#include "model/operations.h"

#include <cerrno>

#include "model/internal/op_handlers.h"
#include "model/sync/kernel_context.h"
#include "model/sync/task.h"

namespace hvfuzz::model {
namespace {

using internal::OpHandler;

struct OpEntry {
  OpSpec spec;
  OpHandler handler;
};

constexpr ArgSpec A(std::string_view name, uint32_t max, std::string_view help) {
  return ArgSpec{name, max, help};
}
constexpr ArgSpec kVm = A("vm", kMaxVms - 1, "VM slot");
constexpr ArgSpec kVcpu = A("vcpu", kMaxVcpus - 1, "vCPU id");
constexpr ArgSpec kGfn = A("gfn", kGfnLimit - 1, "guest page frame");
constexpr ArgSpec kHva = A("hva", kHvaPages - 1, "VMM page (slot s maps hva 16s..16s+7)");

constexpr OpEntry kEntries[] = {
    {{"vm.create", "kvm_dev_ioctl_create_vm", "global", 1, {kVm},
      "kvm_usage_lock > cpu_hotplug_lock(R); mmap_lock(W) > fs_reclaim > mn map; kvm_lock; "
      "cpu_hotplug_lock(R) > jump_label_mutex; pm_chain_head.rwsem(W); kvm_lock",
      "KVM_CREATE_VM into a free VM slot (-EBUSY while the slot's old VM lives)"},
     internal::OpVmCreate},
    {{"vm.destroy", "kvm_vm_release", "global", 1, {kVm},
      "irqfds.lock; irq_srcu(sync); wqh; then on the last reference kvm_destroy_vm: "
      "pm_chain_head.rwsem(W); kvm_lock; slots_lock; gpc locks; kvm_usage_lock > "
      "cpu_hotplug_lock(R)",
      "close the VM: release irqfds, drop the file's reference (kvm_put_kvm)"},
     internal::OpVmDestroy},
    {{"vcpu.create", "kvm_vm_ioctl_create_vcpu", "vm", 2, {kVm, kVcpu},
      "kvm->lock; kvm->lock > vcpu->mutex (lockdep priming); kvm->lock > fs_reclaim; "
      "vcpu->mutex > tsc_write_lock",
      "KVM_CREATE_VCPU (an existing id primes the order, then fails -EEXIST)"},
     internal::OpVcpuCreate},
    {{"vcpu.run", "kvm_arch_vcpu_ioctl_run", "mmu", 4,
      {kVm, kVcpu,
       A("exit", 7,
         "0 EPT fault, 1 nested (shadow) fault, 2 APIC base write, 3 HLT, 4 MMIO, 5 MSR "
         "filter, 6 Xen hypercall page, 7 preempted"),
       A("arg", kGfnLimit - 1, "gfn for faults; enable/long-mode bit; device")},
      "vcpu->mutex > kvm->srcu(R) > {apicv_update_lock(R), tsc_write_lock, gpc->refresh_lock > "
      "gpc->lock, mmap_lock(R), mmu_lock(R|W) > tdp_mmu_pages_lock, slots_arch_lock > "
      "fs_reclaim, cpu_hotplug_lock(R) > jump_label_mutex, xen_lock, mp_state_lock}",
      "KVM_RUN handling one guest exit (requests first; preemption runs the Xen runstate "
      "update with trylocks)"},
     internal::OpVcpuRun},
    {{"memslot.set", "kvm_vm_ioctl_set_memory_region", "memslots", 4,
      {kVm, A("slot", kMaxMemslots - 1, "memslot id"), kGfn,
       A("pages", kMaxSlotPages, "0 deletes; otherwise create/move (same size)")},
      "slots_lock > slots_arch_lock > {fs_reclaim, mn_invalidate_lock (+rcuwait)}; "
      "slots_arch_lock dropped > kvm->srcu(sync); slots_lock > mmu_lock(W)",
      "KVM_SET_USER_MEMORY_REGION: create, delete, move (INVALID slot window)"},
     internal::OpMemslotSet},
    {{"memslot.log_dirty", "kvm_vm_ioctl_set_memory_region", "memslots", 3,
      {kVm, A("slot", kMaxMemslots - 1, "memslot id"), A("enable", 1, "KVM_MEM_LOG_DIRTY_PAGES")},
      "as memslot.set (FLAGS_ONLY change); slots_lock > mmu_lock(W) on commit",
      "KVM_SET_USER_MEMORY_REGION toggling dirty logging only"},
     internal::OpMemslotLogDirty},
    {{"dirty_ring.reset", "kvm_vm_ioctl_reset_dirty_pages", "memslots", 1, {kVm},
      "slots_lock > mmu_lock(W)", "KVM_RESET_DIRTY_RINGS"},
     internal::OpDirtyRingReset},
    {{"mmu.invalidate", "mmu_notifier_invalidate_range_start", "mmu", 4,
      {kVm, kHva, A("pages", kMaxSlotPages, "range length (0 is rejected)"),
       A("event", 3, "0 MADV_DONTNEED, 1 migration, 2 mprotect, 3 OOM reaper")},
      "mmap_lock > mn map > {mn_invalidate_lock, gpc_lock > gpc->lock(R,W), kvm->srcu(R) > "
      "mmu_lock(W)}",
      "an mm event on the VMM's memory calling KVM's invalidate_range_start/_end"},
     internal::OpMmuInvalidate},
    {{"mmu.reclaim", "shrink_folio_list", "mmu", 2, {kVm, kHva},
      "fs_reclaim > mn map > (as mmu.invalidate)",
      "direct reclaim unmapping one VMM page (notifier inside fs_reclaim)"},
     internal::OpMmuReclaim},
    {{"mmu.age", "kvm_mmu_notifier_clear_flush_young", "mmu", 3,
      {kVm, kHva, A("pages", kMaxSlotPages, "range length")}, "kvm->srcu(R) > mmu_lock(W)",
      "page aging through the MMU notifier"},
     internal::OpMmuAge},
    {{"gpc.activate", "kvm_gpc_activate", "gpc", 3,
      {kVm, A("gpc", kMaxGpcs - 1, "generic cache"), kGfn},
      "kvm->srcu(R) > gpc->refresh_lock > {gpc_lock, gpc->lock(W), mmap_lock(R)}",
      "activate a generic gfn_to_pfn cache at gfn"},
     internal::OpGpcActivate},
    {{"gpc.refresh", "kvm_gpc_refresh", "gpc", 2, {kVm, A("gpc", kMaxGpcs - 1, "generic cache")},
      "kvm->srcu(R) > gpc->refresh_lock > {gpc->lock(W), mmap_lock(R)}",
      "refresh a generic cache"},
     internal::OpGpcRefresh},
    {{"gpc.use", "kvm_gpc_check", "gpc", 2, {kVm, A("gpc", kMaxGpcs - 1, "generic cache")},
      "kvm->srcu(R) > gpc->lock(R); refresh as gpc.refresh",
      "consumer: read lock, check, refresh loop, dereference khva (invariants at use)"},
     internal::OpGpcUse},
    {{"gpc.deactivate", "kvm_gpc_deactivate", "gpc", 2,
      {kVm, A("gpc", kMaxGpcs - 1, "generic cache")},
      "gpc->refresh_lock > {gpc->lock(W), gpc_lock}", "deactivate a generic cache"},
     internal::OpGpcDeactivate},
    {{"xen.hvm_config", "kvm_xen_hvm_config", "xen", 1, {kVm},
      "xen_lock > cpu_hotplug_lock(R) > jump_label_mutex", "KVM_XEN_HVM_CONFIG (static key)"},
     internal::OpXenHvmConfig},
    {{"xen.set_shinfo", "kvm_xen_hvm_set_attr", "xen", 2,
      {kVm, A("gfn", kGfnLimit - 1, "shared_info gfn; 127 = KVM_XEN_INVALID_GFN")},
      "xen_lock > kvm->srcu(R) > gpc->refresh_lock > gpc locks; then shared_info_init",
      "KVM_XEN_HVM_SET_ATTR(SHARED_INFO): (de)activate the shinfo cache"},
     internal::OpXenSetShinfo},
    {{"xen.set_vcpu_attr", "kvm_xen_vcpu_set_attr", "xen", 4,
      {kVm, kVcpu,
       A("attr", 4, "0 vcpu_info, 1 time_info, 2 runstate addr, 3 runstate update, 4 timer"),
       A("gfn", kGfnLimit - 1, "cache gfn (127 deactivates); timer: port")},
      "vcpu->mutex > xen_lock > kvm->srcu(R) > gpc->refresh_lock > gpc locks; timer: hard IRQ "
      "> kvm->srcu(R) > gpc->lock(recursive R)",
      "KVM_XEN_VCPU_SET_ATTR"},
     internal::OpXenSetVcpuAttr},
    {{"xen.evtchn_send", "kvm_xen_hcall_evtchn_send", "xen", 3,
      {kVm, kVcpu, A("port", 3, "event channel port")},
      "vcpu->mutex > kvm->srcu(R) > {gpc->lock(R), gpc->refresh_lock > gpc->lock(W)}",
      "guest EVTCHNOP_send hypercall inside KVM_RUN (fast path, then slow path)"},
     internal::OpXenEvtchnSend},
    {{"xen.hvm_evtchn_send", "kvm_xen_hvm_evtchn_send", "xen", 3,
      {kVm, A("port", 3, "event channel port"), kVcpu},
      "kvm->srcu(R) > gpc->lock(R); gpc->refresh_lock > gpc->lock(W)",
      "KVM_XEN_HVM_EVTCHN_SEND from the VMM"},
     internal::OpXenHvmEvtchnSend},
    {{"xen.set_evtchn", "kvm_xen_eventfd_assign", "xen", 4,
      {kVm, A("port", 3, "event channel port"), kVcpu, A("assign", 1, "1 assign, 0 deassign")},
      "xen_lock > fs_reclaim; deassign: xen_lock, then kvm->srcu(sync) outside it",
      "KVM_XEN_HVM_SET_ATTR(EVTCHN) assign/deassign of an in-kernel port"},
     internal::OpXenSetEvtchn},
    {{"xen.evtchn_reset", "kvm_xen_eventfd_reset", "xen", 1, {kVm},
      "xen_lock > fs_reclaim; kvm->srcu(sync) after unlock", "KVM_XEN_EVTCHN_RESET"},
     internal::OpXenEvtchnReset},
    {{"xen.write_hypercall_page", "kvm_xen_write_hypercall_page", "xen", 3,
      {kVm, kVcpu, A("long_mode", 1, "guest mode at the MSR write")},
      "vcpu->mutex > kvm->srcu(R) > xen_lock > kvm->srcu(R) > gpc locks",
      "guest write of the Xen hypercall MSR (KVM_RUN exit)"},
     internal::OpXenWriteHypercallPage},
    {{"cpu.hotplug", "_cpu_down", "global", 2,
      {A("cpu", kHostCpus - 1, "host CPU"), A("online", 1, "1 up, 0 down")},
      "cpu_hotplug_lock(W)", "CPU hotplug: the percpu-rwsem writer"},
     internal::OpCpuHotplug},
    {{"cpufreq.change", "__kvmclock_cpufreq_notifier", "global", 1,
      {A("cpu", kHostCpus - 1, "host CPU")}, "cpu_hotplug_lock(R) > kvm_lock",
      "cpufreq transition notifier walking vm_list (no constant TSC)"},
     internal::OpCpufreqChange},
    {{"nx_huge_pages.set", "set_nx_huge_pages", "global", 1,
      {A("value", 2, "0 off, 1 force, 2 never")},
      "kvm_lock (references only); slots_lock > mmu_lock(W|R)",
      "write the nx_huge_pages module parameter (vm_list walk)"},
     internal::OpNxHugePagesSet},
    {{"pm.suspend", "kvm_pm_notifier_call", "global", 0, {},
      "pm_chain_head.rwsem(R)", "system suspend: PM notifiers and syscore callbacks"},
     internal::OpPmSuspend},
    {{"sev.migrate", "sev_vm_move_enc_context_from", "global", 2,
      {A("dst", kMaxVms - 1, "destination VM"), A("src", kMaxVms - 1, "source VM")},
      "kvm->lock(dst) > kvm->lock(src, nested) > vcpu->mutex (nest_lock) > fs_reclaim",
      "KVM_CAP_VM_MOVE_ENC_CONTEXT_FROM"},
     internal::OpSevMigrate},
    {{"irqchip.create", "kvm_arch_vm_ioctl", "vm", 1, {kVm},
      "kvm->lock > slots_lock > kvm->srcu(sync); kvm->lock > irq_lock > irqfds.lock; "
      "kvm->lock > irq_srcu(sync); kvm->lock > apicv_update_lock(W)",
      "KVM_CREATE_IRQCHIP (only before vCPUs exist)"},
     internal::OpIrqchipCreate},
    {{"ioeventfd.assign", "kvm_assign_ioeventfd_idx", "vm", 3,
      {kVm, A("addr", 3, "device"), A("assign", 1, "1 assign, 0 deassign")},
      "slots_lock > {fs_reclaim, kvm->srcu(sync)}", "KVM_IOEVENTFD (io bus register)"},
     internal::OpIoeventfd},
    {{"irqfd.assign", "kvm_irqfd", "vm", 4,
      {kVm, A("irqfd", kMaxIrqfds - 1, "eventfd"), A("gsi", kMaxGsis - 1, "GSI"),
       A("assign", 1, "1 assign, 0 deassign")},
      "irqfds.lock > irq_srcu(R) > wqh; deassign: irq_srcu(sync) > wqh",
      "KVM_IRQFD assign/deassign"},
     internal::OpIrqfd},
    {{"irqfd.signal", "irqfd_wakeup", "vm", 2, {kVm, A("irqfd", kMaxIrqfds - 1, "eventfd")},
      "hard IRQ: wqh > irq_srcu(R) > kvm->srcu(R) > gpc->lock(recursive R); work: irq_srcu(R); "
      "kvm->srcu(R) > gpc->refresh_lock",
      "a device interrupt signals the eventfd (irqfd_wakeup, irqfd_inject)"},
     internal::OpIrqfdSignal},
    {{"irq.set_routing", "kvm_set_irq_routing", "vm", 4,
      {kVm, A("gsi", kMaxGsis - 1, "GSI"), A("type", 2, "0 none, 1 MSI, 2 Xen evtchn"),
       A("port", 3, "Xen port")},
      "irq_lock > irqfds.lock; irq_srcu(sync) after unlock", "KVM_SET_GSI_ROUTING"},
     internal::OpIrqSetRouting},
    {{"pmu.set_event_filter", "kvm_vm_ioctl_set_pmu_event_filter", "vm", 1, {kVm},
      "kvm->lock; kvm->srcu(sync) after unlock", "KVM_SET_PMU_EVENT_FILTER"},
     internal::OpPmuSetEventFilter},
    {{"msr.set_filter", "kvm_vm_ioctl_set_msr_filter", "vm", 1, {kVm},
      "kvm->lock; kvm->srcu(sync) after unlock", "KVM_X86_SET_MSR_FILTER"},
     internal::OpMsrSetFilter},
    {{"apicv.inhibit", "kvm_arch_vcpu_guestdbg_update_apicv_inhibit", "vm", 3,
      {kVm, kVcpu, A("set", 1, "KVM_GUESTDBG_BLOCKIRQ")},
      "vcpu->mutex > apicv_update_lock(W) > kvm->srcu(R) > mmu_lock(W)",
      "KVM_SET_GUEST_DEBUG toggling the BLOCKIRQ APICv inhibit"},
     internal::OpApicvInhibit},
    {{"vcpu.psci_cpu_on", "kvm_psci_vcpu_on", "vm", 3,
      {kVm, kVcpu, A("target", kMaxVcpus - 1, "target vCPU (itself: CPU_OFF)")},
      "vcpu->mutex > target mp_state_lock", "arm64 PSCI CPU_ON / RISC-V SBI HART_START"},
     internal::OpVcpuPsciCpuOn},
};

constexpr auto kSpecs = [] {
  std::array<OpSpec, std::size(kEntries)> specs{};
  for (size_t i = 0; i < std::size(kEntries); ++i) specs[i] = kEntries[i].spec;
  return specs;
}();

}  // namespace

std::span<const OpSpec> Operations() { return kSpecs; }

std::optional<uint16_t> FindOperation(std::string_view name) {
  for (size_t i = 0; i < kSpecs.size(); ++i) {
    if (kSpecs[i].name == name) return static_cast<uint16_t>(i);
  }
  return std::nullopt;
}

int Execute(World& world, const OpCall& call) {
  if (call.op >= kSpecs.size()) {
    sync::ReturnToUser("?");
    return -EINVAL;
  }
  // Armed for this call only: fallible steps of other calls (and of other tasks, such as a
  // worker this call wakes) do not count, as with the task's fail-nth file in the kernel. A
  // countdown left over (the call took fewer steps) is cleared, not carried into the next call.
  sync::Task& task = sync::CurrentTask();
  task.set_fail_nth(call.fail_nth);
  int r = kEntries[call.op].handler(world, call.args);
  task.set_fail_nth(0);
  // The one way back to user space: whatever the operation took, it must have released.
  sync::ReturnToUser(kSpecs[call.op].name);
  return r;
}

}  // namespace hvfuzz::model
