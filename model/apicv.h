// SPDX-License-Identifier: Apache-2.0
// APICv inhibits (arch/x86/kvm/x86.c): kvm->arch.apicv_update_lock, taken for write by the
// inhibit updaters (which kick every vCPU and, when APICv becomes inhibited, zap the APIC
// access page inside kvm->srcu) and for read by each vCPU applying KVM_REQ_APICV_UPDATE.
#pragma once

#include <cstdint>

namespace hvfuzz::model {

class Kvm;

// kvm_set_or_clear_apicv_inhibit(): down_write(apicv_update_lock) around
// __kvm_set_or_clear_apicv_inhibit.
void KvmSetOrClearApicvInhibit(Kvm& kvm, uint32_t reason, bool set);

}  // namespace hvfuzz::model
