// SPDX-License-Identifier: Apache-2.0
// RwLock: the kernel's rwlock_t on x86 (a queued rwlock). Spinning: holders and waiters are in
// atomic context. In process context ReadLock() is a non-recursive reader that queues behind a
// waiting writer; in interrupt context (Task::in_interrupt) it is a recursive reader that only
// waits for a writer holding the lock (lockdep's read_lock_is_recursive(), qrwlock slowpath).
// The *Irq variants stand for read_lock_irq/irqsave and write_lock_irq.
#pragma once

#include "model/sync/annotations.h"
#include "model/sync/internal/shared_lock.h"

namespace hvfuzz::sync {

class HV_CAPABILITY("rwlock") RwLock : public internal::SharedLock {
 public:
  explicit RwLock(const LockClass& cls, std::string label = {})
      : SharedLock(cls, std::move(label)) {}

  void ReadLock(Site site = Site::Here()) HV_ACQUIRE_SHARED() { AcquireRead(site, false); }
  void ReadUnlock(Site site = Site::Here()) HV_RELEASE_SHARED() { ReleaseRead(site, false); }
  void ReadLockIrq(Site site = Site::Here()) HV_ACQUIRE_SHARED() { AcquireRead(site, true); }
  void ReadUnlockIrq(Site site = Site::Here()) HV_RELEASE_SHARED() { ReleaseRead(site, true); }
  bool ReadTrylock(Site site = Site::Here()) HV_TRY_ACQUIRE_SHARED(true) {
    return TryAcquireRead(site, false);
  }
  bool ReadTrylockIrq(Site site = Site::Here()) HV_TRY_ACQUIRE_SHARED(true) {
    return TryAcquireRead(site, true);
  }
  void WriteLock(Site site = Site::Here()) HV_ACQUIRE() { AcquireWrite(site, 0, false); }
  void WriteUnlock(Site site = Site::Here()) HV_RELEASE() { ReleaseWrite(site, false); }
  void WriteLockIrq(Site site = Site::Here()) HV_ACQUIRE() { AcquireWrite(site, 0, true); }
  void WriteUnlockIrq(Site site = Site::Here()) HV_RELEASE() { ReleaseWrite(site, true); }
};

}  // namespace hvfuzz::sync
