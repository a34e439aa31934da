// SPDX-License-Identifier: Apache-2.0
// Test fixture for engine scenarios: lock classes and primitives that stand for nothing in
// particular ("A", "B", "S"), tasks spawned on a backend, and the validator as observer.
// Scenarios are written against the primitives alone, without the KVM model, so that a broken
// detector or primitive fails here before it can hide a model bug.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "fuzz/check/finding.h"
#include "fuzz/check/lock_order_validator.h"
#include "fuzz/sched/controlled_scheduler.h"
#include "model/sync/lock_class.h"
#include "model/sync/mutex.h"
#include "model/sync/srcu.h"
#include "model/sync/wait_event.h"

namespace hvfuzz::engine_test {

inline const sync::LockClass kClassA{"A", sync::LockKind::kMutex};
inline const sync::LockClass kClassB{"B", sync::LockKind::kMutex};
inline const sync::LockClass kClassL{"L", sync::LockKind::kMutex};
inline const sync::LockClass kClassSpin{"spin", sync::LockKind::kSpinLock};
inline const sync::LockClass kClassSrcu{"S", sync::LockKind::kSrcu};
inline const sync::LockClass kClassRwSem{"R", sync::LockKind::kRwSemaphore};
inline const sync::LockClass kClassRwA{"rwA", sync::LockKind::kRwLock};
inline const sync::LockClass kClassRwB{"rwB", sync::LockKind::kRwLock};
inline const sync::LockClass kClassHotplug{"cpu_hotplug_lock", sync::LockKind::kPercpuRwSem};
inline const sync::LockClass kClassEvent{"event", sync::LockKind::kLockdepMap};

using Body = std::function<void()>;

struct ControlledResult {
  sched::RunOutcome outcome;
  std::optional<check::Finding> validator_finding;
};

// Runs `bodies` as tasks t0..tn-1 under the controlled scheduler. With `validate`, the
// lockdep-style validator observes the run and stops it at its first finding.
inline ControlledResult RunControlled(const std::vector<Body>& bodies, bool validate,
                                      sched::ScheduleOptions options = {}) {
  sched::ControlledScheduler scheduler(std::move(options));
  for (size_t i = 0; i < bodies.size(); ++i) {
    scheduler.Spawn("t" + std::to_string(i), bodies[i]);
  }
  check::LockOrderValidator validator;
  validator.set_on_finding([&] { scheduler.RequestStop(); });
  sync::SyncObserver null_observer;
  ControlledResult r;
  r.outcome = validate ? scheduler.Run(validator) : scheduler.Run(null_observer);
  r.validator_finding = validator.finding();
  return r;
}

// ABBA whose halves must overlap whatever the backend or strategy: completions make each
// task hold its first lock before the other asks for it.
inline std::vector<Body> InterleavedAbba(sync::Mutex& a, sync::Mutex& b, sync::Completion& c0,
                                         sync::Completion& c1) {
  return {[&] { a.Lock(); c0.Complete(); c1.WaitForCompletion(); b.Lock(); b.Unlock(); a.Unlock(); },
          [&] { c0.WaitForCompletion(); b.Lock(); c1.Complete(); a.Lock(); a.Unlock(); b.Unlock(); }};
}

// t1 enters an SRCU read section; t0 then takes L and synchronizes the SRCU while t1, still
// reading, asks for L: the grace period waits for t1, t1 waits for t0.
inline std::vector<Body> SynchronizeUnderLockVersusReader(sync::Mutex& l, sync::Srcu& s,
                                                          sync::Completion& reading,
                                                          sync::Completion& locked) {
  return {[&] { reading.WaitForCompletion(); l.Lock(); locked.Complete(); s.Synchronize(); l.Unlock(); },
          [&] {
            int idx = s.ReadLock();
            reading.Complete();
            locked.WaitForCompletion();
            l.Lock();
            l.Unlock();
            s.ReadUnlock(idx);
          }};
}

// The lock classes named in a finding's cycle, in order.
inline std::vector<std::string> CycleClasses(const check::Finding& f) {
  std::vector<std::string> out;
  for (const check::Dependency& d : f.cycle) out.push_back(d.to.lock_class);
  return out;
}

}  // namespace hvfuzz::engine_test
