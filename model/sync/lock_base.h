// SPDX-License-Identifier: Apache-2.0
// LockBase: what every lock-like primitive shares: its class, its instance label, its wait
// channel, and the acquire/release protocol that reports to the task's SyncObserver in the
// order lockdep does (announce before blocking, record after acquiring, record the release).
//
// Contract: instances belong to model objects and must outlive every task that uses them.
// Primitives hold no policy: they neither print nor decide what is a bug; they report.
#pragma once

#include <string>
#include <vector>

#include "model/sync/held_lock.h"
#include "model/sync/lock_class.h"
#include "model/sync/sync_observer.h"
#include "model/sync/sync_runtime.h"
#include "model/sync/task.h"

namespace hvfuzz::sync {

class LockBase : public Waitable {
 public:
  LockBase(const LockBase&) = delete;
  LockBase& operator=(const LockBase&) = delete;

  const LockClass& lock_class() const { return *class_; }
  // Instance label given by the owning object ("vm0", "vcpu1"), or empty.
  const std::string& label() const { return label_; }
  std::string Describe() const override;
  std::string_view ClassName() const override { return class_->name(); }

  // lockdep_assert_held(): reports to the observer whether the calling task holds this lock
  // (in any mode). Returns that answer too, so model code can refuse to continue.
  bool AssertHeld(Site site = Site::Here()) const;
  // True when the calling task holds this lock (no event).
  bool HeldByCurrent() const;

  // Called on the thread of a task that a backend's tear-down killed (TaskKilled) while it
  // held this lock through an explicit lock call, which nothing will ever release: drops the
  // hold from TSan's view only (model state stays as it is). The run ended on a finding of its
  // own; without this, destroying the lock with the world is TSan's "destroy of a locked
  // mutex", which halts a harness that reports those (report_destroy_locked=1) before it can
  // print the finding that stopped the run. A no-op for primitives TSan does not see as
  // mutexes (SRCU, lockdep maps) and outside TSan builds.
  virtual void ForgetHoldOfKilledTask(const HeldLock& held) const {}

 protected:
  LockBase(const LockClass& cls, std::string label);
  ~LockBase() override;

  HeldLock MakeHeld(Task& t, AcquireMode mode, Site site, uint8_t subclass = 0,
                    const LockBase* nest_lock = nullptr, bool trylock = false) const;
  // lockdep's lock_acquire(), before the slow path: a scheduling point, might_sleep for
  // sleeping primitives, then OnAcquire. Throws TaskKilled when the task is being unwound.
  void AnnounceAcquire(Task& t, const HeldLock& h, bool sleeps) const;
  // The lock is held now: push it on the task's stack, then OnAcquired.
  void CommitAcquire(Task& t, const HeldLock& h) const;
  // Pops this lock from the task's stack and reports OnRelease. When the task does not hold
  // it, reports OnBadUnlock and returns false: the caller must leave its state unchanged.
  bool CommitRelease(Task& t, Site site, HeldLock* released = nullptr) const;
  // After the state change of a release: let a woken waiter run first.
  void ReleasePoint(Task& t) const;

  // With a StateGuard held: parks until `can_proceed()` is true. `acquiring` (may be null) is
  // reported once through OnContended when the task has to wait; `token` is kept on the task
  // for BlockersOf (e.g. the grace period a synchronize_srcu waits for).
  template <class Pred>
  void WaitUntil(Task& t, const HeldLock* acquiring, uint64_t token, Site site,
                 Pred can_proceed) const {
    bool reported = false;
    while (!can_proceed()) {
      if (!reported && acquiring && !t.unwinding()) {
        t.observer().OnContended(t, *acquiring);
        reported = true;
      }
      t.BeginWait(this, token, site);
      try {
        t.runtime().Wait(t, channel_);
      } catch (...) {
        t.EndWait();
        throw;
      }
      t.EndWait();
    }
  }

  mutable WaitChannel channel_;

 private:
  const LockClass* class_;
  std::string label_;
};

}  // namespace hvfuzz::sync
