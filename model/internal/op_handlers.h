// SPDX-License-Identifier: Apache-2.0
// The operation handlers behind model::Execute (one per OpSpec, same order as the table in
// operations.cc) and the ioctl plumbing they share: a VM or vCPU "file" reference held for the
// duration of an ioctl (fdget), and the vcpu->mutex prologue of kvm_vcpu_ioctl. Internal.
#pragma once

#include <array>
#include <cstdint>

#include "model/kvm.h"
#include "model/operations.h"
#include "model/world.h"

namespace hvfuzz::model::internal {

using OpArgs = std::array<uint32_t, kMaxOpArgs>;
using OpHandler = int (*)(World&, const OpArgs&);

// fdget() of a VM fd for one ioctl: a kvm reference taken when the fd is open, dropped (with
// kvm_put_kvm, which may run kvm_destroy_vm on this task) at the end of the scope.
class VmFile {
 public:
  VmFile(World& world, uint32_t vm);
  ~VmFile();
  VmFile(const VmFile&) = delete;
  VmFile& operator=(const VmFile&) = delete;

  // 0, -EBADF (no open VM fd) or -EIO (the VM is bugged/dead).
  int error() const { return error_; }
  Kvm* kvm() const { return kvm_; }

 private:
  World& world_;
  Kvm* kvm_ = nullptr;
  int error_ = 0;
};

// kvm_vcpu_ioctl(): the VM file plus an online vCPU, with vcpu->mutex taken killable on
// construction (error -EINTR when an injected fatal signal interrupts the wait) and released
// on destruction.
class VcpuIoctl {
 public:
  VcpuIoctl(World& world, uint32_t vm, uint32_t vcpu);
  ~VcpuIoctl();
  VcpuIoctl(const VcpuIoctl&) = delete;
  VcpuIoctl& operator=(const VcpuIoctl&) = delete;

  int error() const { return error_ ? error_ : file_.error(); }
  Kvm& kvm() const { return *file_.kvm(); }
  Vcpu& vcpu() const { return *vcpu_; }

 private:
  VmFile file_;
  Vcpu* vcpu_ = nullptr;
  int error_ = 0;
  bool locked_ = false;
};

// mutex_lock_killable() with fault injection: false (-EINTR) when an injected fatal signal
// interrupts a wait.
bool LockKillable(World& world, sync::Mutex& m) HV_TRY_ACQUIRE(true, m);
bool LockKillableNested(World& world, sync::Mutex& m, uint8_t subclass) HV_TRY_ACQUIRE(true, m);
bool LockKillableNestLock(World& world, sync::Mutex& m, const sync::LockBase& outer)
    HV_TRY_ACQUIRE(true, m);

#define HV_OP_HANDLERS(X)                                                      \
  X(OpVmCreate) X(OpVmDestroy) X(OpVcpuCreate) X(OpVcpuRun) X(OpMemslotSet)   \
  X(OpMemslotLogDirty) X(OpDirtyRingReset) X(OpMmuInvalidate) X(OpMmuReclaim) \
  X(OpMmuAge) X(OpGpcActivate) X(OpGpcRefresh) X(OpGpcUse) X(OpGpcDeactivate) \
  X(OpXenHvmConfig) X(OpXenSetShinfo) X(OpXenSetVcpuAttr) X(OpXenEvtchnSend)  \
  X(OpXenHvmEvtchnSend) X(OpXenSetEvtchn) X(OpXenEvtchnReset)                 \
  X(OpXenWriteHypercallPage) X(OpCpuHotplug) X(OpCpufreqChange)               \
  X(OpNxHugePagesSet) X(OpPmSuspend) X(OpSevMigrate) X(OpIrqchipCreate)       \
  X(OpIoeventfd) X(OpIrqfd) X(OpIrqfdSignal) X(OpIrqSetRouting)               \
  X(OpPmuSetEventFilter) X(OpMsrSetFilter) X(OpApicvInhibit)                  \
  X(OpVcpuPsciCpuOn)

#define HV_DECLARE_OP(name) int name(World& world, const OpArgs& args);
HV_OP_HANDLERS(HV_DECLARE_OP)
#undef HV_DECLARE_OP

}  // namespace hvfuzz::model::internal
