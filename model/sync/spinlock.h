// SPDX-License-Identifier: Apache-2.0
// SpinLock: the kernel's spinlock_t (and raw_spinlock_t). Exclusive and spinning: from the
// moment Lock() starts until Unlock() the task is in atomic context, so any sleeping call
// inside is a finding. LockIrq/UnlockIrq stand for spin_lock_irq/irqsave (IRQs off as well).
#pragma once

#include "model/sync/annotations.h"
#include "model/sync/internal/exclusive_lock.h"

namespace hvfuzz::sync {

class HV_CAPABILITY("spinlock") SpinLock : public internal::ExclusiveLock {
 public:
  explicit SpinLock(const LockClass& cls, std::string label = {})
      : ExclusiveLock(cls, std::move(label)) {}

  void Lock(Site site = Site::Here()) HV_ACQUIRE() { Acquire(site, 0, nullptr, false, false); }
  void LockNested(uint8_t subclass, Site site = Site::Here()) HV_ACQUIRE() {
    Acquire(site, subclass, nullptr, false, false);
  }
  void LockIrq(Site site = Site::Here()) HV_ACQUIRE() { Acquire(site, 0, nullptr, false, true); }
  bool TryLock(Site site = Site::Here()) HV_TRY_ACQUIRE(true) { return TryAcquire(site, false); }
  void Unlock(Site site = Site::Here()) HV_RELEASE() { Release(site, false); }
  void UnlockIrq(Site site = Site::Here()) HV_RELEASE() { Release(site, true); }
};

class HV_SCOPED_CAPABILITY SpinLockGuard {
 public:
  explicit SpinLockGuard(SpinLock& l, Site site = Site::Here()) HV_ACQUIRE(l)
      : l_(l), site_(site) {
    l_.Lock(site);
  }
  ~SpinLockGuard() HV_RELEASE() { l_.Unlock(site_); }
  SpinLockGuard(const SpinLockGuard&) = delete;
  SpinLockGuard& operator=(const SpinLockGuard&) = delete;

 private:
  SpinLock& l_;
  Site site_;
};

}  // namespace hvfuzz::sync
