// SPDX-License-Identifier: Apache-2.0
// Mutex: the kernel's struct mutex. Sleeping, exclusive, not recursive: Lock() is
// might_sleep(); waiters park until the owner unlocks (no lost wakeups; barging is allowed, as
// with optimistic spinning). Variants: LockNested(subclass) (mutex_lock_nested),
// LockNestLock(outer) (mutex_lock_nest_lock: many locks of one class serialized by `outer`),
// LockKillable() (gives up with -EINTR when it would wait and a fatal signal is pending),
// TryLock(). Cost: one scheduling point and three observer calls per Lock; no allocation.
#pragma once

#include "model/sync/annotations.h"
#include "model/sync/internal/exclusive_lock.h"

namespace hvfuzz::sync {

class HV_CAPABILITY("mutex") Mutex : public internal::ExclusiveLock {
 public:
  explicit Mutex(const LockClass& cls, std::string label = {})
      : ExclusiveLock(cls, std::move(label)) {}

  void Lock(Site site = Site::Here()) HV_ACQUIRE() { Acquire(site, 0, nullptr, false, false); }
  void LockNested(uint8_t subclass, Site site = Site::Here()) HV_ACQUIRE() {
    Acquire(site, subclass, nullptr, false, false);
  }
  void LockNestLock(const LockBase& outer, Site site = Site::Here()) HV_ACQUIRE() {
    Acquire(site, 0, &outer, false, false);
  }
  // mutex_lock_killable(): true when acquired, false for -EINTR.
  bool LockKillable(Site site = Site::Here()) HV_TRY_ACQUIRE(true) {
    return Acquire(site, 0, nullptr, true, false);
  }
  bool LockKillableNested(uint8_t subclass, Site site = Site::Here()) HV_TRY_ACQUIRE(true) {
    return Acquire(site, subclass, nullptr, true, false);
  }
  bool LockKillableNestLock(const LockBase& outer, Site site = Site::Here())
      HV_TRY_ACQUIRE(true) {
    return Acquire(site, 0, &outer, true, false);
  }
  // mutex_trylock(): never blocks, records no dependency.
  bool TryLock(Site site = Site::Here()) HV_TRY_ACQUIRE(true) { return TryAcquire(site, false); }
  void Unlock(Site site = Site::Here()) HV_RELEASE() { Release(site, false); }
};

// guard(mutex)(&m): holds `m` for the enclosing scope.
class HV_SCOPED_CAPABILITY MutexGuard {
 public:
  explicit MutexGuard(Mutex& m, Site site = Site::Here()) HV_ACQUIRE(m) : m_(m), site_(site) {
    m_.Lock(site);
  }
  ~MutexGuard() HV_RELEASE() { m_.Unlock(site_); }
  MutexGuard(const MutexGuard&) = delete;
  MutexGuard& operator=(const MutexGuard&) = delete;

 private:
  Mutex& m_;
  Site site_;
};

}  // namespace hvfuzz::sync
