// SPDX-License-Identifier: Apache-2.0
// ModelObserver: a test-only SyncObserver for model tests. It records what a kernel developer
// would call a problem (a broken model invariant, a lock held at return to user space, an
// unlock of an unheld lock, a failed lockdep_assert_held, a sleep in atomic context, an
// acquisition of a class under one it must never nest in) and every lock-order edge the model
// takes, the way lockdep records dependencies: from the nearest held lock (and past trylock
// holders) to the acquired class; trylock acquisitions record none; synchronize_srcu records a
// "sync" edge.
//
// Contract: test-only (namespace testing). Not thread-safe: use with SingleTaskRuntime or the
// controlled scheduler (one task at a time). Depends only on model/sync and lock_classes.h.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "model/lock_classes.h"
#include "model/sync/sync_observer.h"

namespace hvfuzz::model::testing {

struct Edge {
  const sync::LockClass* outer;
  const sync::LockClass* inner;
  bool sync;  // synchronize_srcu (lock_sync) rather than an acquisition

  bool operator<(const Edge& o) const {
    return std::tie(outer, inner, sync) < std::tie(o.outer, o.inner, o.sync);
  }
  // "&kvm->slots_lock -> &kvm->srcu (sync)".
  std::string ToString() const;
};

class ModelObserver : public sync::SyncObserver {
 public:
  // Problems in the order seen: "invariant:<name>", "held-at-return:<op>:<class>",
  // "bad-unlock:<class>", "lock-not-held:<class>", "sleep-in-atomic:<file>:<line>",
  // "never-inside:<held class> -> <acquired class>".
  std::vector<std::string> problems;
  std::set<Edge> edges;

  void OnAcquire(sync::Task& task, const sync::HeldLock& acquiring) override;
  void OnSync(sync::Task& task, const sync::HeldLock& sync) override;
  void OnBadUnlock(sync::Task& task, const sync::LockBase& lock, sync::Site site) override;
  void OnMightSleep(sync::Task& task, sync::Site site) override;
  void OnAssertHeld(sync::Task& task, const sync::LockBase& lock, bool held,
                    sync::Site site) override;
  void OnReturnToUser(sync::Task& task, std::string_view operation) override;
  void OnInvariantViolation(sync::Task& task, std::string_view invariant,
                            std::string_view detail, sync::Site site) override;

  bool HasProblem(std::string_view prefix) const;
  std::string ProblemsText() const;

 private:
  void RecordEdges(sync::Task& task, const sync::HeldLock& inner, bool sync);
};

}  // namespace hvfuzz::model::testing
