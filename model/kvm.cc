// SPDX-License-Identifier: Apache-2.0
// struct kvm: construction of a VM slot, its initial shape, references, KVM_BUG_ON, and the
// ioctl plumbing (VmFile, VcpuIoctl) every operation goes through.
#include "model/kvm.h"

#include <cerrno>
#include <string>

#include "model/internal/op_handlers.h"
#include "model/kvm_global.h"
#include "model/lock_classes.h"
#include "model/sync/kernel_context.h"
#include "model/sync/task.h"

namespace hvfuzz::model {
namespace lc = lock_classes;
namespace {

std::string L(int vm, const char* what) {
  // Built in place (one string, no temporaries): a World makes ~150 of these per execution.
  std::string s = "vm";
  s += std::to_string(vm);
  if (*what) {
    s += '.';
    s += what;
  }
  return s;
}

}  // namespace

Kvm::Kvm(World& world, int index)
    : lock(lc::kVmLock, L(index, "")),
      slots_lock(lc::kSlotsLock, L(index, "")),
      slots_arch_lock(lc::kSlotsArchLock, L(index, "")),
      irq_lock(lc::kIrqLock, L(index, "")),
      srcu(lc::kKvmSrcu, L(index, "")),
      irq_srcu(lc::kIrqSrcu, L(index, "")),
      mmu_lock(lc::kMmuLock, L(index, "")),
      tdp_mmu_pages_lock(lc::kTdpMmuPagesLock, L(index, "")),
      mn_invalidate_lock(lc::kMnInvalidateLock, L(index, "")),
      mn_memslots_update_rcuwait(lc::kMnMemslotsUpdateRcuwait, L(index, "")),
      mmu_notifier_slots_lock(lc::kMmuNotifierSlotsLock, L(index, "")),
      gpc_lock(lc::kGpcListLock, L(index, "")),
      irqfds_lock(lc::kIrqfdsLock, L(index, "")),
      tsc_write_lock(lc::kTscWriteLock, L(index, "")),
      apicv_update_lock(lc::kApicvUpdateLock, L(index, "")),
      irqfds{Irqfd(L(index, "irqfd0")), Irqfd(L(index, "irqfd1"))},
      mm(L(index, "")),
      xen(*this, L(index, "shinfo")),
      gpcs{GfnToPfnCache(*this, L(index, "gpc0")), GfnToPfnCache(*this, L(index, "gpc1")),
           GfnToPfnCache(*this, L(index, "gpc2")), GfnToPfnCache(*this, L(index, "gpc3"))},
      vcpus{Vcpu(*this, 0, L(index, "vcpu0")), Vcpu(*this, 1, L(index, "vcpu1")),
            Vcpu(*this, 2, L(index, "vcpu2")), Vcpu(*this, 3, L(index, "vcpu3"))},
      scratch_vcpu(*this, kMaxVcpus, L(index, "vcpu-new")),
      world_(&world),
      index_(index) {
  static_assert(kMaxGpcs == 4 && kMaxVcpus == 4 && kMaxIrqfds == 2,
                "update the Kvm constructor's initializer lists");
  memslot_sets[0].node_index = 0;
  memslot_sets[1].node_index = 1;
}

void Kvm::ResetState() HV_NO_THREAD_SAFETY_ANALYSIS {
  users_count.store(0, std::memory_order_relaxed);
  fd_open.store(false, std::memory_order_relaxed);
  vm_bugged.store(false, std::memory_order_relaxed);
  sev_active.store(false, std::memory_order_relaxed);
  migration_in_progress.store(false, std::memory_order_relaxed);
  for (Memslot& s : memslot_pool) s = Memslot{};
  for (MemslotSet& set : memslot_sets) {
    set.slots.fill(nullptr);
    set.generation = 0;
  }
  active_memslots.store(&memslot_sets[0], std::memory_order_relaxed);
  mn_active_invalidate_count.store(0, std::memory_order_relaxed);
  mmu_invalidate_seq.store(0, std::memory_order_relaxed);
  mmu_invalidate_in_progress = 0;
  mmu_invalidate_range_start = ~0u;
  mmu_invalidate_range_end = ~0u;
  for (auto& spte : sptes) spte.store(0, std::memory_order_relaxed);
  shadow_root_allocated.store(false, std::memory_order_relaxed);
  tdp_mmu_root_linked.store(false, std::memory_order_relaxed);
  io_bus_devices.store(0, std::memory_order_relaxed);
  irqchip_created = false;
  msr_filter_gen.store(0, std::memory_order_relaxed);
  msr_filter_freed_gen.store(0, std::memory_order_relaxed);
  pmu_filter_gen.store(0, std::memory_order_relaxed);
  apicv_inhibit_reasons = 0;
  for (IrqRoutingTable& t : irq_routing_tables) {
    t.entries = {};
    t.state.store(IrqRoutingTable::kFree, std::memory_order_relaxed);
  }
  irq_routing_tables[0].state.store(IrqRoutingTable::kLive, std::memory_order_relaxed);
  irq_routing.store(&irq_routing_tables[0], std::memory_order_relaxed);
  apicv_inhibit_reasons = kApicvInhibitAbsent;
  for (Irqfd& f : irqfds) f.Init();
  mm.Reset();
  xen.Init(false);
  gpc_list.clear();
  // shinfo + generic caches + three Xen caches per vCPU: every cache the VM can activate.
  gpc_list.reserve(1 + kMaxGpcs + 3 * kMaxVcpus);
  for (GfnToPfnCache& gpc : gpcs) gpc.Init();
  for (Vcpu& v : vcpus) v.Init();
  scratch_vcpu.Init();
  online_vcpus.store(0, std::memory_order_relaxed);
  created_vcpus = 0;
}

void Kvm::InitForWorld(const WorldConfig& config, bool live) HV_NO_THREAD_SAFETY_ANALYSIS {
  ResetState();
  if (!live) return;
  // The shape a VMM would have built with ioctls before the program starts.
  for (int i = 0; i < config.memslots; ++i) {
    Memslot* slot = &memslot_pool[i];
    slot->in_use = true;
    slot->id = i;
    slot->base_gfn = static_cast<uint32_t>(i * kSlotStride);
    slot->npages = kMaxSlotPages;
    slot->userspace_addr = static_cast<uint32_t>(i * kSlotStride);
    memslot_sets[0].slots[i] = slot;
    memslot_sets[1].slots[i] = slot;
  }
  for (int i = 0; i < config.vcpus; ++i) vcpus[i].online.store(true, std::memory_order_relaxed);
  online_vcpus.store(config.vcpus, std::memory_order_relaxed);
  created_vcpus = config.vcpus;
  irqchip_created = true;  // the VMM made its irqchip before the vCPUs
  apicv_inhibit_reasons = 0;
  // VM 0 is a plain VM; the others start as SEV guests (sources for sev.migrate).
  sev_active.store(index_ != 0, std::memory_order_relaxed);
  users_count.store(1, std::memory_order_relaxed);
  fd_open.store(true, std::memory_order_relaxed);
  mm.set_notifier_registered(true);
  xen.Init(config.xen);
  state.store(VmState::kLive, std::memory_order_relaxed);

  KvmGlobal& g = world_->global();
  g.vm_list[g.vm_count++] = this;  // list_add without kvm_lock: no task runs yet
  g.createvm_count++;
  g.active_vms++;
  g.pm_registered[index_] = true;
  g.key_preempt_notifier.fetch_add(1, std::memory_order_relaxed);
  if (config.xen) g.key_kvm_xen_enabled.fetch_add(1, std::memory_order_relaxed);
  if (g.usage_count++ == 0) {
    g.cpuhp_registered.store(true, std::memory_order_relaxed);
    for (int cpu = 0; cpu < kHostCpus; ++cpu) g.virt_enabled[cpu].store(true);
  }
}

bool Kvm::GetSafe() {
  int v = users_count.load(std::memory_order_relaxed);
  while (v > 0) {
    if (users_count.compare_exchange_weak(v, v + 1, std::memory_order_acq_rel)) return true;
  }
  return false;
}

void KvmPut(World& world, Kvm& kvm) {
  if (kvm.users_count.fetch_sub(1, std::memory_order_acq_rel) == 1) KvmDestroyVm(world, kvm);
}

bool KvmBugOn(Kvm& kvm, bool cond, const char* invariant, const char* detail, sync::Site site) {
  if (!cond) return false;
  kvm.vm_bugged.store(true, std::memory_order_relaxed);
  sync::ReportInvariantViolation(invariant, detail, site);
  return true;
}

namespace internal {

VmFile::VmFile(World& world, uint32_t vm) : world_(world) {
  if (vm >= kMaxVms) {
    error_ = -EBADF;
    return;
  }
  Kvm& kvm = world.vm(static_cast<int>(vm));
  if (!kvm.fd_open.load(std::memory_order_acquire) || !kvm.GetSafe()) {
    error_ = -EBADF;
    return;
  }
  kvm_ = &kvm;  // the destructor drops the reference, whatever happens below
  // fdget() pins one file in one step; here the check and the get are two. Between them the fd
  // seen open may have been closed, its VM destroyed and the slot reused by a VM that
  // kvm_create_vm is still initializing (ABA, seen by TSan on real threads). Seeing the fd open
  // again after the get orders this task after fd_install of the VM it now holds, so that VM
  // is fully created; the slot cannot be reused again while the reference is held.
  if (!kvm.fd_open.load(std::memory_order_acquire)) {
    error_ = -EBADF;
    return;
  }
  if (kvm.vm_bugged.load(std::memory_order_relaxed)) error_ = -EIO;
}

VmFile::~VmFile() {
  // A task the backend unwinds after a finding must not run kvm_destroy_vm (it would acquire
  // locks, which throws TaskKilled inside a destructor); its World is discarded anyway.
  if (kvm_ == nullptr || sync::CurrentTask().unwinding()) return;
  try {
    KvmPut(world_, *kvm_);
  } catch (const sync::TaskKilled&) {
    // The run ended inside kvm_destroy_vm: its next acquisition threw (the World is discarded).
  }
}

bool LockKillable(World& world, sync::Mutex& m) HV_NO_THREAD_SAFETY_ANALYSIS {
  sync::Task& t = sync::CurrentTask();
  bool signal = InjectFatalSignal(world);
  if (signal) t.set_fatal_signal_pending(true);
  bool ok = m.LockKillable();
  if (signal) t.set_fatal_signal_pending(false);
  return ok;
}

bool LockKillableNested(World& world, sync::Mutex& m, uint8_t subclass)
    HV_NO_THREAD_SAFETY_ANALYSIS {
  sync::Task& t = sync::CurrentTask();
  bool signal = InjectFatalSignal(world);
  if (signal) t.set_fatal_signal_pending(true);
  bool ok = m.LockKillableNested(subclass);
  if (signal) t.set_fatal_signal_pending(false);
  return ok;
}

bool LockKillableNestLock(World& world, sync::Mutex& m, const sync::LockBase& outer)
    HV_NO_THREAD_SAFETY_ANALYSIS {
  sync::Task& t = sync::CurrentTask();
  bool signal = InjectFatalSignal(world);
  if (signal) t.set_fatal_signal_pending(true);
  bool ok = m.LockKillableNestLock(outer);
  if (signal) t.set_fatal_signal_pending(false);
  return ok;
}

VcpuIoctl::VcpuIoctl(World& world, uint32_t vm, uint32_t vcpu)
    HV_NO_THREAD_SAFETY_ANALYSIS : file_(world, vm) {
  if (file_.error()) return;
  vcpu_ = file_.kvm()->GetVcpu(vcpu);
  if (vcpu_ == nullptr) {
    error_ = -EBADF;
    return;
  }
  // kvm_vcpu_ioctl(): "if (mutex_lock_killable(&vcpu->mutex)) return -EINTR;"
  if (!LockKillable(world, vcpu_->mutex)) {
    error_ = -EINTR;
    return;
  }
  locked_ = true;
}

VcpuIoctl::~VcpuIoctl() HV_NO_THREAD_SAFETY_ANALYSIS {
  if (!locked_) return;
  vcpu_->mutex.Unlock();  // release points never throw (sync_runtime.h)
}

}  // namespace internal
}  // namespace hvfuzz::model
