// SPDX-License-Identifier: Apache-2.0
// SyncObserver: the event interface every primitive reports to (lockdep's hooks: lock_acquire,
// lock_contended, lock_acquired, lock_release, lock_sync, might_sleep, lockdep_assert_held).
// The validator, the interleaving recorder and the TSan bridge implement it; the model never
// sees who listens (STYLE.md G1).
//
// Contract: called on the task's own fiber/thread, outside every primitive's internal state
// (so an observer may not call back into a primitive). In controlled mode calls are serialized
// by the scheduler; in free-running mode an observer must lock for itself. An observer must not
// print or abort: it records a Finding and lets the caller act (STYLE.md G9). All methods have
// empty defaults so that observers implement only what they need.
#pragma once

#include <string_view>

#include "model/sync/held_lock.h"
#include "model/sync/site.h"

namespace hvfuzz::sync {

class LockBase;
class Task;

class SyncObserver {
 public:
  virtual ~SyncObserver() = default;

  // An acquisition is about to be attempted (before it may block). `task.held()` does not yet
  // contain it. For trylocks this is reported only after the trylock succeeded.
  virtual void OnAcquire(Task& task, const HeldLock& acquiring) {}
  // The acquisition has to wait: someone else holds the lock in a conflicting mode.
  virtual void OnContended(Task& task, const HeldLock& acquiring) {}
  // The lock is now held and on `task.held()`.
  virtual void OnAcquired(Task& task, const HeldLock& acquired) {}
  // The lock was released; `task.held()` no longer contains it.
  virtual void OnRelease(Task& task, const HeldLock& released, Site site) {}
  // A release of a lock the task does not hold (state left unchanged).
  virtual void OnBadUnlock(Task& task, const LockBase& lock, Site site) {}
  // lock_sync(): a write acquire immediately released, e.g. synchronize_srcu. Never held.
  virtual void OnSync(Task& task, const HeldLock& sync) {}
  // The task may sleep here (might_sleep, or any sleeping primitive).
  virtual void OnMightSleep(Task& task, Site site) {}
  // lockdep_assert_held(lock): `held` says whether the task holds it (in any mode).
  virtual void OnAssertHeld(Task& task, const LockBase& lock, bool held, Site site) {}
  // An operation of the model returns to "user space" (end of an ioctl, notifier, work item).
  virtual void OnReturnToUser(Task& task, std::string_view operation) {}
  // A model invariant does not hold.
  virtual void OnInvariantViolation(Task& task, std::string_view invariant,
                                    std::string_view detail, Site site) {}
};

// Forwards every event to a fixed list of observers, in order.
class ObserverList final : public SyncObserver {
 public:
  static constexpr int kMax = 6;
  void Add(SyncObserver* o) { observers_[count_++] = o; }

  void OnAcquire(Task& t, const HeldLock& h) override {
    for (int i = 0; i < count_; ++i) observers_[i]->OnAcquire(t, h);
  }
  void OnContended(Task& t, const HeldLock& h) override {
    for (int i = 0; i < count_; ++i) observers_[i]->OnContended(t, h);
  }
  void OnAcquired(Task& t, const HeldLock& h) override {
    for (int i = 0; i < count_; ++i) observers_[i]->OnAcquired(t, h);
  }
  void OnRelease(Task& t, const HeldLock& h, Site s) override {
    for (int i = 0; i < count_; ++i) observers_[i]->OnRelease(t, h, s);
  }
  void OnBadUnlock(Task& t, const LockBase& l, Site s) override {
    for (int i = 0; i < count_; ++i) observers_[i]->OnBadUnlock(t, l, s);
  }
  void OnSync(Task& t, const HeldLock& h) override {
    for (int i = 0; i < count_; ++i) observers_[i]->OnSync(t, h);
  }
  void OnMightSleep(Task& t, Site s) override {
    for (int i = 0; i < count_; ++i) observers_[i]->OnMightSleep(t, s);
  }
  void OnAssertHeld(Task& t, const LockBase& l, bool held, Site s) override {
    for (int i = 0; i < count_; ++i) observers_[i]->OnAssertHeld(t, l, held, s);
  }
  void OnReturnToUser(Task& t, std::string_view op) override {
    for (int i = 0; i < count_; ++i) observers_[i]->OnReturnToUser(t, op);
  }
  void OnInvariantViolation(Task& t, std::string_view inv, std::string_view d, Site s) override {
    for (int i = 0; i < count_; ++i) observers_[i]->OnInvariantViolation(t, inv, d, s);
  }

 private:
  SyncObserver* observers_[kMax] = {};
  int count_ = 0;
};

}  // namespace hvfuzz::sync
