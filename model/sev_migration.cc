// SPDX-License-Identifier: Apache-2.0
// SEV intra-host migration: sev_vm_move_enc_context_from (arch/x86/kvm/svm/sev.c; docs C.10).
//   1. sev_lock_two_vms: claim migration_in_progress on dst then src (-EBUSY on conflict), then
//      mutex_lock_killable(dst->lock) and mutex_lock_killable_nested(src->lock,
//      SINGLE_DEPTH_NESTING): two kvm->lock of one class, ordered by the claims;
//   2. kvm_lock_all_vcpus(dst), kvm_lock_all_vcpus(src): every vcpu->mutex with the VM's
//      kvm->lock as nest_lock (e4a454ced74c / c560bc9286e6, 2025), unwinding on -EINTR;
//   3. move the state, mark the source dead; unlock in reverse.
#include <cerrno>

#include "model/internal/op_handlers.h"
#include "model/kvm.h"
#include "model/sync/task.h"

namespace hvfuzz::model {
namespace {

inline constexpr uint8_t kSingleDepthNesting = 1;

void UnlockAllVcpus(Kvm& kvm, int count) HV_NO_THREAD_SAFETY_ANALYSIS {
  for (int i = 0; i < count; ++i) {
    if (kvm.vcpus[i].online.load(std::memory_order_acquire)) kvm.vcpus[i].mutex.Unlock();
  }
}

// kvm_lock_all_vcpus(): caller holds kvm->lock. 0 or -EINTR (having unlocked what it took).
int LockAllVcpus(World& world, Kvm& kvm) HV_NO_THREAD_SAFETY_ANALYSIS {
  HV_KERNEL_FUNCTION("kvm_lock_all_vcpus");
  kvm.lock.AssertHeld();
  for (int i = 0; i < kMaxVcpus; ++i) {
    Vcpu& v = kvm.vcpus[i];
    if (!v.online.load(std::memory_order_acquire)) continue;
    if (!internal::LockKillableNestLock(world, v.mutex, kvm.lock)) {
      UnlockAllVcpus(kvm, i);
      return -EINTR;
    }
  }
  return 0;
}

void ReleaseClaim(Kvm& kvm) { kvm.migration_in_progress.store(false, std::memory_order_release); }

// sev_lock_two_vms().
int SevLockTwoVms(World& world, Kvm& dst, Kvm& src) HV_NO_THREAD_SAFETY_ANALYSIS {
  HV_KERNEL_FUNCTION("sev_lock_two_vms");
  if (&dst == &src) return -EINVAL;
  bool expected = false;
  // The claims make the two same-class kvm->lock acquisitions safe: two VMs migrating to and
  // from each other fail with -EBUSY instead of locking in opposite orders.
  if (!dst.migration_in_progress.compare_exchange_strong(expected, true)) return -EBUSY;
  expected = false;
  if (!src.migration_in_progress.compare_exchange_strong(expected, true)) {
    ReleaseClaim(dst);
    return -EBUSY;
  }
  if (!internal::LockKillable(world, dst.lock)) {
    ReleaseClaim(src);
    ReleaseClaim(dst);
    return -EINTR;
  }
  if (!internal::LockKillableNested(world, src.lock, kSingleDepthNesting)) {
    dst.lock.Unlock();
    ReleaseClaim(src);
    ReleaseClaim(dst);
    return -EINTR;
  }
  return 0;
}

void SevUnlockTwoVms(Kvm& dst, Kvm& src) HV_NO_THREAD_SAFETY_ANALYSIS {
  dst.lock.Unlock();
  src.lock.Unlock();
  ReleaseClaim(src);
  ReleaseClaim(dst);
}

}  // namespace

namespace internal {

// sev.migrate dst src: KVM_CAP_VM_MOVE_ENC_CONTEXT_FROM on VM `dst` with VM `src`'s fd.
int OpSevMigrate(World& world, const OpArgs& a) HV_NO_THREAD_SAFETY_ANALYSIS {
  HV_KERNEL_FUNCTION("sev_vm_move_enc_context_from");
  VmFile dst_file(world, a[0]);
  if (dst_file.error()) return dst_file.error();
  VmFile src_file(world, a[1]);  // fdget(source_fd)
  if (src_file.error()) return src_file.error() == -EIO ? -EIO : -EBADF;
  Kvm& dst = *dst_file.kvm();
  Kvm& src = *src_file.kvm();
  int r = SevLockTwoVms(world, dst, src);
  if (r != 0) return r;
  if (dst.sev_active.load() || !src.sev_active.load()) {
    r = -EINVAL;
  } else if ((r = LockAllVcpus(world, dst)) == 0) {
    if ((r = LockAllVcpus(world, src)) == 0) {
      // sev_check_source_vcpus(): same number of vCPUs.
      if (dst.online_vcpus.load() != src.online_vcpus.load()) {
        r = -EINVAL;
      } else if (!GfpKernelAlloc(world)) {  // zalloc_cpumask_var(have_run_cpus)
        r = -ENOMEM;
      } else {
        HV_KERNEL_FUNCTION("sev_migrate_from");
        dst.sev_active.store(true);
        src.sev_active.store(false);
        src.vm_bugged.store(true);  // kvm_vm_dead(source_kvm)
      }
      UnlockAllVcpus(src, kMaxVcpus);
    }
    UnlockAllVcpus(dst, kMaxVcpus);
  }
  SevUnlockTwoVms(dst, src);
  return r;
}

}  // namespace internal
}  // namespace hvfuzz::model
