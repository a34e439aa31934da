// SPDX-License-Identifier: Apache-2.0
// The guest exits one vcpu.run handles, and the exit handlers that live in other concept
// files (APIC, io buses, filters, Xen). Internal to model/.
#pragma once

#include <cstdint>

#include "model/sync/annotations.h"
#include "model/vcpu.h"

namespace hvfuzz::model {

class Kvm;
class Vcpu;
class World;

// vcpu.run's `exit` argument. Values are part of the op contract (stored programs use them).
enum class VcpuExit : uint8_t {
  kEptViolation = 0,      // TDP page fault at gfn `arg` (write)
  kNestedFault = 1,       // nested guest: shadow root allocation + shadow-MMU fault at gfn `arg`
  kApicBaseWrite = 2,     // MSR_IA32_APICBASE write: arg&1 = enable (static key apic_hw_disabled)
  kHlt = 3,               // HLT: kvm_vcpu_halt drops kvm->srcu while blocked
  kMmio = 4,              // MMIO write on kvm->buses at device `arg`
  kMsrAccess = 5,         // MSR access checked against the MSR filter (SRCU-protected)
  kXenHypercallPage = 6,  // Xen hypercall-page MSR write: arg&1 = long mode
  kPreempted = 7,         // the vCPU task is preempted after the exit (preempt notifier)
};
inline constexpr int kNumVcpuExits = 8;

// kvm_arch_vcpu_ioctl_run(): caller holds vcpu->mutex.
int KvmArchVcpuIoctlRun(World& world, Vcpu& vcpu, VcpuExit exit, uint32_t arg)
    HV_REQUIRES(vcpu.mutex);
// kvm_lapic_set_base(): toggling the APIC's hardware enable flips a static key.
void KvmLapicSetBase(World& world, Vcpu& vcpu, bool enable);
// kvm_io_bus_write(): looks a device up on kvm->buses (srcu_dereference).
void KvmIoBusWrite(Kvm& kvm, uint32_t addr);
// A reader of the MSR (msr=true) or PMU event filter under kvm->srcu: checks the object it
// dereferences was not freed ("srcu-object-freed-under-reader").
void ReadSrcuFilter(Kvm& kvm, bool msr);
// kvm_xen_write_hypercall_page(): xen_lock inside vcpu->mutex + kvm->srcu.
int KvmXenWriteHypercallPage(World& world, Vcpu& vcpu, bool long_mode);

}  // namespace hvfuzz::model
