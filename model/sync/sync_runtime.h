// SPDX-License-Identifier: Apache-2.0
// SyncRuntime: the backend the primitives run on, and WaitChannel/Waitable, the places where
// tasks block. Two backends implement it (STYLE.md G1): the controlled scheduler (fuzz/sched:
// fibers, one runs at a time, every call below is a scheduling decision) and the free-running
// backend (real threads, real blocking).
//
// Protocol every primitive follows (see lock_base.cc):
//   runtime.SchedulingPoint(task, kAcquire);       // may switch to another task
//   { StateGuard g(channel);                        // LockState/UnlockState
//     while (!can_proceed) { task.BeginWait(...); runtime.Wait(task, channel); task.EndWait(); }
//     change state; }
//   ... on release: { StateGuard g(channel); change state; runtime.Wake(channel); }
// Wake() wakes every waiter of the channel; each re-checks its condition (no lost wakeups,
// because a waiter checks and parks without giving up the state lock).
//
// Contract: Wait() may throw TaskKilled when the backend unwinds a task after a finding; the
// primitive lets it propagate (its state is unchanged). Backends never print from these calls.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

namespace hvfuzz::sync {

class Task;

// Where a task may be preempted (STYLE.md G13). One line each:
enum class SchedulingPoint : uint8_t {
  kAcquire,      // before taking a lock or entering a read section
  kRelease,      // after releasing a lock (a woken waiter may run first)
  kWait,         // before waiting for an event (completion, rcuwait, grace period)
  kWake,         // after signalling an event
  kYield,        // an explicit cond_resched()/schedule() in the model
  kThreadStart,  // a task is about to run its first operation
  kThreadExit,   // a task has finished
};

const char* SchedulingPointName(SchedulingPoint point);

// Something a task can wait for: a lock, a grace period, a completion. Backends ask it who
// blocks a waiter, to build the wait-for graph of a deadlock report.
class Waitable {
 public:
  virtual ~Waitable() = default;
  // Appends the tasks that must act before `waiter` can proceed (lock holders, SRCU readers
  // older than the waiter's grace period). Empty when unknown (e.g. a completion).
  virtual void BlockersOf(const Task& waiter, std::vector<const Task*>& out) const = 0;
  // "&kvm->slots_lock" plus the instance label, e.g. "&kvm->slots_lock (vm0)".
  virtual std::string Describe() const = 0;
  // Lock class name for signatures ("&kvm->slots_lock"), or the event's name.
  virtual std::string_view ClassName() const = 0;
};

// Thrown out of SyncRuntime::Wait when the backend unwinds a blocked task.
struct TaskKilled {};

// The per-object channel tasks block on. The fields are backend storage: primitives never
// touch them. `mu`/`cv` serve the free-running backend; `parked` the controlled scheduler.
class WaitChannel {
 public:
  explicit WaitChannel(const Waitable& owner) : owner_(&owner) {}
  WaitChannel(const WaitChannel&) = delete;
  WaitChannel& operator=(const WaitChannel&) = delete;
  const Waitable& owner() const { return *owner_; }

  std::mutex mu;
  std::condition_variable cv;
  std::vector<Task*> parked;

 private:
  const Waitable* owner_;
};

class SyncRuntime {
 public:
  virtual ~SyncRuntime() = default;
  // A point where another task may run first. Not called while any StateGuard is held.
  // Never throws (release points run in destructors): when the run ends here, it returns with
  // the task marked unwinding, and the caller throws TaskKilled if it was about to acquire.
  virtual void SchedulingPoint(Task& task, SchedulingPoint point) = 0;
  // Serialize access to one primitive's state (no-op when only one task runs at a time).
  virtual void LockState(WaitChannel& channel) = 0;
  virtual void UnlockState(WaitChannel& channel) = 0;
  // With the state locked: block `task` until a Wake(channel); returns with the state locked.
  // May throw TaskKilled (state lock is re-held when it does).
  virtual void Wait(Task& task, WaitChannel& channel) = 0;
  // With the state locked: make every task waiting on `channel` re-check its condition.
  virtual void Wake(WaitChannel& channel) = 0;
};

}  // namespace hvfuzz::sync
