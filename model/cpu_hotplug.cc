// SPDX-License-Identifier: Apache-2.0
// Host-wide paths around kvm_usage_lock and cpu_hotplug_lock (virt/kvm/kvm_main.c,
// arch/x86/kvm/x86.c; docs A.2-A.3, C.8, E.4): enabling virtualization for the first VM
// (cpuhp_setup_state under cpus_read_lock), CPU hotplug as the percpu-rwsem writer (whose
// pending write blocks new cpus_read_lock() callers), the cpufreq transition notifier walking
// vm_list under kvm_lock inside cpus_read_lock, and system suspend (the PM notifier chain and
// the syscore callbacks).
#include <cerrno>

#include "model/internal/op_handlers.h"
#include "model/kvm.h"
#include "model/kvm_global.h"
#include "model/sync/task.h"

namespace hvfuzz::model {

int KvmEnableVirtualization(World& world) {
  HV_KERNEL_FUNCTION("kvm_enable_virtualization");
  KvmGlobal& g = world.global();
  sync::MutexGuard guard(g.kvm_usage_lock);
  if (g.usage_count++ != 0) return 0;
  // cpuhp_setup_state(CPUHP_AP_KVM_ONLINE, kvm_online_cpu, kvm_offline_cpu): registers the
  // callbacks and runs kvm_online_cpu on every online CPU, all inside cpus_read_lock().
  g.cpu_hotplug_lock.DownRead();
  g.cpuhp_registered.store(true, std::memory_order_relaxed);
  for (int cpu = 0; cpu < kHostCpus; ++cpu) {
    if (g.cpu_online[cpu].load(std::memory_order_relaxed)) g.virt_enabled[cpu].store(true);
  }
  g.cpu_hotplug_lock.UpRead();
  return 0;  // register_syscore_ops()
}

void KvmDisableVirtualization(World& world) {
  HV_KERNEL_FUNCTION("kvm_disable_virtualization");
  KvmGlobal& g = world.global();
  sync::MutexGuard guard(g.kvm_usage_lock);
  if (--g.usage_count != 0) return;
  // cpuhp_remove_state(): kvm_offline_cpu on every online CPU inside cpus_read_lock().
  g.cpu_hotplug_lock.DownRead();
  g.cpuhp_registered.store(false, std::memory_order_relaxed);
  for (int cpu = 0; cpu < kHostCpus; ++cpu) g.virt_enabled[cpu].store(false);
  g.cpu_hotplug_lock.UpRead();
}

namespace internal {

// cpu.hotplug cpu online: bring host CPU `cpu` up (online=1) or down (cpu_up/cpu_down under
// cpus_write_lock; CPU 0 cannot go down).
int OpCpuHotplug(World& world, const OpArgs& a) {
  HV_KERNEL_FUNCTION("_cpu_down");
  KvmGlobal& g = world.global();
  uint32_t cpu = a[0] % kHostCpus;
  bool online = (a[1] & 1) != 0;
  if (!online && cpu == 0) return -EBUSY;
  g.cpu_hotplug_lock.DownWrite();  // cpus_write_lock(): new readers queue behind us
  if (g.cpu_online[cpu].load(std::memory_order_relaxed) != online) {
    // kvm_online_cpu / kvm_offline_cpu (since 2024: no KVM lock, per-CPU state only).
    HV_KERNEL_FUNCTION(online ? "kvm_online_cpu" : "kvm_offline_cpu");
    if (g.cpuhp_registered.load(std::memory_order_relaxed)) g.virt_enabled[cpu].store(online);
    g.cpu_online[cpu].store(online, std::memory_order_relaxed);
  }
  g.cpu_hotplug_lock.UpWrite();
  return 0;
}

// cpufreq.change cpu: a frequency transition on `cpu` notified from inside cpus_read_lock()
// (e.g. cpufreq_boost_trigger_state) to kvmclock_cpufreq_notifier (hosts without constant TSC).
int OpCpufreqChange(World& world, const OpArgs& a) {
  HV_KERNEL_FUNCTION("cpufreq_boost_trigger_state");
  KvmGlobal& g = world.global();
  int cpu = static_cast<int>(a[0] % kHostCpus);
  g.cpu_hotplug_lock.DownRead();
  {
    HV_KERNEL_FUNCTION("__kvmclock_cpufreq_notifier");
    // smp_call_function_single(cpu, tsc_khz_changed, freq, 1): before kvm_lock.
    g.cpu_tsc_khz_updates.fetch_add(1, std::memory_order_relaxed);
    g.kvm_lock.Lock();
    for (int i = 0; i < g.vm_count; ++i) {
      for (Vcpu& v : g.vm_list[i]->vcpus) {
        if (v.online.load(std::memory_order_acquire) && v.cpu.load() == cpu) {
          v.MakeRequest(kReqClockUpdate);
        }
      }
    }
    g.kvm_lock.Unlock();
  }
  g.cpu_hotplug_lock.UpRead();
  return 0;
}

// pm.suspend: system suspend: PM_SUSPEND_PREPARE down the PM notifier chain
// (kvm_arch_suspend_notifier: no kvm->lock since 2025), the syscore suspend/resume callbacks
// with IRQs off, then PM_POST_SUSPEND.
int OpPmSuspend(World& world, const OpArgs& a) {
  HV_KERNEL_FUNCTION("pm_suspend");
  (void)a;
  KvmGlobal& g = world.global();
  for (int phase = 0; phase < 2; ++phase) {
    HV_KERNEL_FUNCTION("blocking_notifier_call_chain");
    g.pm_chain_rwsem.DownRead();
    for (int i = 0; i < kMaxVms; ++i) {
      if (!g.pm_registered[i] || phase != 0) continue;
      HV_KERNEL_FUNCTION("kvm_arch_suspend_notifier");
      for (Vcpu& v : world.vm(i).vcpus) {
        // kvm_set_guest_paused(): pv_time.active read without vcpu->mutex, a request.
        if (v.online.load(std::memory_order_acquire) && v.pv_time_active.load()) {
          v.MakeRequest(kReqClockUpdate);
        }
      }
    }
    g.pm_chain_rwsem.UpRead();
    if (phase == 0) {
      // kvm_suspend() / kvm_resume(): syscore ops, one CPU left, IRQs disabled.
      HV_KERNEL_FUNCTION("kvm_suspend");
      sync::Task& t = sync::CurrentTask();
      t.LocalIrqDisable();
      t.LocalIrqEnable();
    }
  }
  return 0;
}

}  // namespace internal
}  // namespace hvfuzz::model
