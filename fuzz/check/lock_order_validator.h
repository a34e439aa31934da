// SPDX-License-Identifier: Apache-2.0
// LockOrderValidator: the lockdep-style potential-deadlock detector. A SyncObserver that turns
// the primitives' events into lockdep's checks, on a LockDependencyGraph of lock classes:
//  - acquire (not trylock): "possible recursive locking" when the class (+subclass) is already
//    held by the task, except a recursive read of a class it holds as a reader and a same-class
//    acquisition while its nest_lock is held (mutex_lock_nest_lock); then an edge from *every*
//    held lock to the acquired class, typed E/S by how the held lock is held and R/N by how the
//    new one is taken, and a strong-cycle check (lock-order-cycle). Lockdep links only the top
//    of the held stack and relies on transitivity; we link all of them on purpose, since each
//    is a real "held while acquiring" fact, and it keeps every reported cycle one hop per
//    dependency that some task really had. A held trylock counts as held; a trylock adds no
//    edge to itself. Lockdep maps (fs_reclaim, the MMU-notifier map) are locks here.
//  - lock_sync (synchronize_srcu): an exclusive (N) acquisition that is never held: edges from
//    every held lock, cycle check. Syncing an SRCU class the task holds in any mode is the
//    self-deadlock lockdep calls "possible recursive locking" (its lock_sync runs the same
//    check), so it is reported as kRecursiveLocking, not as a cycle of one.
//  - might_sleep in atomic context, a lock held at return to user space, unlock of an unheld
//    lock, failed lockdep_assert_held, model invariant violations: one Finding each.
//
// What it refuses to do: it never prints or aborts (STYLE.md G9): it records the first Finding
// of a run and then stops validating until ResetRun() (lockdep's rule), so later noise cannot
// mask it. It does not detect actual deadlocks (that is the wait-for graph's job).
//
// Lifetime: the graph outlives runs unless the caller says otherwise. ResetRun() forgets the
// finding and keeps the graph (a warm graph, like lockdep across one boot); Reset() forgets
// both (fuzzing: each execution must show both halves of a cycle). A typed dependency is
// checked once, when first recorded: with a warm graph, a cycle already recorded in an
// earlier run is not reported again.
//
// Thread-safety: none; the controlled scheduler serializes calls, the free-running backend
// wraps observers in a lock. Cost: an acquisition whose chain (held classes and modes plus
// the acquired class and mode) was validated before costs a hash over the held stack and one
// probe of the chain cache, with no allocation (bench/validator_bench.cc); a new chain costs
// one O(1) graph lookup per held lock plus one graph search per new typed dependency.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string_view>
#include <vector>

#include "fuzz/check/finding.h"
#include "fuzz/check/internal/flat_u64_map.h"
#include "fuzz/check/internal/lock_order_findings.h"
#include "fuzz/check/lock_dependency_graph.h"
#include "model/sync/sync_observer.h"

namespace hvfuzz::check {

class LockOrderValidator final : public sync::SyncObserver {
 public:
  struct Options {
    // Lockdep's checks: lock order, recursive locking, sleep in atomic, bad unlock, failed
    // lockdep_assert_held. Off (a benchmark baseline): only model invariants and locks held at
    // return to user space are checked, and the graph stays empty.
    bool lockdep = true;
    // lockdep_sys_exit's check: a lock still held when an operation returns to user space.
    // Off (the naive benchmark harness): without lockdep nothing reports a leaked lock; the
    // next task to want it hangs, and only a watchdog sees that.
    bool leak_at_return = true;
  };

  LockOrderValidator() = default;
  explicit LockOrderValidator(Options options) : options_(options) {}
  LockOrderValidator(const LockOrderValidator&) = delete;
  LockOrderValidator& operator=(const LockOrderValidator&) = delete;

  void OnAcquire(sync::Task& task, const sync::HeldLock& acquiring) override;
  void OnSync(sync::Task& task, const sync::HeldLock& sync) override;
  void OnMightSleep(sync::Task& task, sync::Site site) override;
  void OnReturnToUser(sync::Task& task, std::string_view operation) override;
  void OnBadUnlock(sync::Task& task, const sync::LockBase& lock, sync::Site site) override;
  void OnAssertHeld(sync::Task& task, const sync::LockBase& lock, bool held,
                    sync::Site site) override;
  void OnInvariantViolation(sync::Task& task, std::string_view invariant, std::string_view detail,
                            sync::Site site) override;

  // The first finding of the current run, if any. Its title is "<kind> in <function>", the
  // function being the innermost upstream frame of the acquisition (or release, sleep,
  // assertion) that triggered it, or its model site when no frame was recorded. A
  // sleep-in-atomic finding is completed by the acquisition that follows its might_sleep
  // (`acquiring`: the mutex_lock, down_read or synchronize_srcu that sleeps), so read the
  // finding once the primitive call has returned, not from the on_finding callback.
  const std::optional<Finding>& finding() const { return finding_; }
  bool has_finding() const { return finding_.has_value(); }

  // Called once per run, right after the first finding is recorded (the executor stops the
  // scheduler from it). It must not call back into the validator.
  void set_on_finding(std::function<void()> on_finding) { on_finding_ = std::move(on_finding); }

  // Starts a new run on the same graph: forgets the finding, keeps dependencies and the chain
  // cache (both describe the graph, which is unchanged).
  void ResetRun();
  // Starts over: empty graph, no dependencies, no chain cache, no finding. The on_finding
  // callback stays.
  void Reset();

  const LockDependencyGraph& graph() const { return graph_; }
  // Where each typed dependency was first seen, indexed by the graph's edge payload (formatted
  // on each call: the validator keeps them unformatted).
  std::vector<Dependency> dependencies() const;

  size_t TestOnlyChainCacheSize() const { return chain_cache_.size(); }

 private:
  // Runs lockdep's checks for an acquisition (or lock_sync) unless its chain is cached.
  void Validate(sync::Task& task, const sync::HeldLock& acquiring);
  // The checks themselves; true when the chain is clean (and may be cached).
  bool ValidateChain(sync::Task& task, const sync::HeldLock& acquiring, bool nest_lock_held);
  // After a sleep-in-atomic finding: names the acquisition that sleeps, if this is it.
  void NameSleepingAcquisition(const sync::Task& task, const sync::HeldLock& acquiring);
  LockNodeId NodeOf(const sync::HeldLock& held);
  void Record(Finding finding);

  Options options_;
  LockDependencyGraph graph_;
  std::vector<internal::RawDependency> dependencies_;
  // Hashes of chains validated clean (lockdep's chain_key cache). A collision of two 64-bit
  // chain keys would skip one check, as in lockdep.
  internal::FlatU64Map<uint8_t> chain_cache_;
  std::vector<DependencyEdge> cycle_scratch_;
  std::optional<Finding> finding_;
  std::function<void()> on_finding_;
  // The might_sleep of a sleep-in-atomic finding whose acquisition has not been seen yet.
  const sync::Task* sleep_task_ = nullptr;
  sync::Site sleep_site_;
};

}  // namespace hvfuzz::check
