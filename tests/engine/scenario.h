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

// The lock classes named in a finding's cycle, in order.
inline std::vector<std::string> CycleClasses(const check::Finding& f) {
  std::vector<std::string> out;
  for (const check::Dependency& d : f.cycle) out.push_back(d.to.lock_class);
  return out;
}

}  // namespace hvfuzz::engine_test
