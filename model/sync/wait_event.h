// SPDX-License-Identifier: Apache-2.0
// Event primitives that are not locks, so lockdep does not order them (crossrelease is gone
// from the kernel): Completion (complete / wait_for_completion), WaitQueue (wait_event /
// wake_up) and RcuWait (prepare_to_rcuwait / schedule / rcuwait_wake_up, single waiter).
// Waiting is a sleep (might_sleep) and a scheduling point; a wakeup is a TSan release that the
// woken waiter acquires. Who will wake a waiter is unknown to them, so BlockersOf is empty:
// a deadlock involving them is reported as "all tasks blocked" with each task's wait.
#pragma once

#include <functional>

#include "model/sync/lock_base.h"

namespace hvfuzz::sync {

// A named event source; the LockClass only names it in reports (kind kLockdepMap, never
// acquired).
class EventBase : public LockBase {
 public:
  void BlockersOf(const Task&, std::vector<const Task*>&) const override {}

 protected:
  using LockBase::LockBase;
  // Sleeps until `ready()`; `ready` runs with the event's state serialized.
  void SleepUntil(Site site, const std::function<bool()>& ready);
  // Wakes all sleepers after `update()` ran with the event's state serialized.
  void WakeAfter(const std::function<void()>& update);
};

class Completion : public EventBase {
 public:
  explicit Completion(const LockClass& cls, std::string label = {})
      : EventBase(cls, std::move(label)) {}
  void Complete();
  void CompleteAll();
  void WaitForCompletion(Site site = Site::Here());
  void Reinit();

 private:
  int done_ = 0;
  bool all_ = false;
};

class WaitQueue : public EventBase {
 public:
  explicit WaitQueue(const LockClass& cls, std::string label = {})
      : EventBase(cls, std::move(label)) {}
  // wait_event(wq, cond): `cond` is re-evaluated after every wake_up.
  void WaitEvent(const std::function<bool()>& cond, Site site = Site::Here()) {
    SleepUntil(site, cond);
  }
  void WakeUp() {
    WakeAfter([] {});
  }
};

class RcuWait : public EventBase {
 public:
  explicit RcuWait(const LockClass& cls, std::string label = {})
      : EventBase(cls, std::move(label)) {}
  // prepare_to_rcuwait() + set_current_state(TASK_UNINTERRUPTIBLE): arms the waiter; a
  // WakeUp() from now on makes the next Schedule() return at once (no lost wakeup).
  void PrepareToWait();
  // schedule(): sleeps unless woken since PrepareToWait().
  void Schedule(Site site = Site::Here());
  // finish_rcuwait().
  void Finish();
  // rcuwait_wake_up(): wakes the armed waiter, if any.
  void WakeUp();
  bool has_waiter() const { return waiter_ != nullptr; }

 private:
  Task* waiter_ = nullptr;
  bool woken_ = false;
};

// might_sleep(): the caller may sleep here. A scheduling point in neither mode: the check is
// the observer's.
void MightSleep(Site site = Site::Here());
// cond_resched(): might_sleep() plus a point where another task may run.
void CondResched(Site site = Site::Here());

}  // namespace hvfuzz::sync
