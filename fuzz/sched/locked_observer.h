// SPDX-License-Identifier: Apache-2.0
// LockedObserver: a SyncObserver that forwards every event to another one under a mutex, so
// that an observer written for the controlled scheduler (where calls are serialized: the
// lock-order validator, a recorder) can watch the free-running backend, whose model threads
// report concurrently (sync_observer.h: "in free-running mode an observer must lock for
// itself").
//
// Contract: the events reach `inner` one at a time, each in full, in the order the threads
// win the lock; the wrapped observer must not call back into a primitive (as for any
// observer) nor into this LockedObserver (the mutex is not recursive). It may call
// FreeRunningRuntime::RequestStop(). The mutex is an InvisibleMutex: TSan sees neither it nor
// the inner observer's memory accesses, so serializing the observer adds no happens-before
// edge between model threads and hides none of their races. Cost: one uncontended-or-not
// mutex round trip per event; no allocation.
#pragma once

#include <string_view>

#include "fuzz/sched/internal/invisible_mutex.h"
#include "model/sync/sync_observer.h"

namespace hvfuzz::sched {

class LockedObserver final : public sync::SyncObserver {
 public:
  // `inner` must outlive this object.
  explicit LockedObserver(sync::SyncObserver& inner) : inner_(inner) {}
  LockedObserver(const LockedObserver&) = delete;
  LockedObserver& operator=(const LockedObserver&) = delete;

  void OnAcquire(sync::Task& t, const sync::HeldLock& h) override {
    internal::InvisibleLock l(mu_);
    inner_.OnAcquire(t, h);
  }
  void OnContended(sync::Task& t, const sync::HeldLock& h) override {
    internal::InvisibleLock l(mu_);
    inner_.OnContended(t, h);
  }
  void OnAcquired(sync::Task& t, const sync::HeldLock& h) override {
    internal::InvisibleLock l(mu_);
    inner_.OnAcquired(t, h);
  }
  void OnRelease(sync::Task& t, const sync::HeldLock& h, sync::Site s) override {
    internal::InvisibleLock l(mu_);
    inner_.OnRelease(t, h, s);
  }
  void OnBadUnlock(sync::Task& t, const sync::LockBase& lock, sync::Site s) override {
    internal::InvisibleLock l(mu_);
    inner_.OnBadUnlock(t, lock, s);
  }
  void OnSync(sync::Task& t, const sync::HeldLock& h) override {
    internal::InvisibleLock l(mu_);
    inner_.OnSync(t, h);
  }
  void OnMightSleep(sync::Task& t, sync::Site s) override {
    internal::InvisibleLock l(mu_);
    inner_.OnMightSleep(t, s);
  }
  void OnAssertHeld(sync::Task& t, const sync::LockBase& lock, bool held, sync::Site s) override {
    internal::InvisibleLock l(mu_);
    inner_.OnAssertHeld(t, lock, held, s);
  }
  void OnReturnToUser(sync::Task& t, std::string_view operation) override {
    internal::InvisibleLock l(mu_);
    inner_.OnReturnToUser(t, operation);
  }
  void OnInvariantViolation(sync::Task& t, std::string_view invariant, std::string_view detail,
                            sync::Site s) override {
    internal::InvisibleLock l(mu_);
    inner_.OnInvariantViolation(t, invariant, detail, s);
  }

 private:
  sync::SyncObserver& inner_;
  internal::InvisibleMutex mu_;
};

}  // namespace hvfuzz::sched
