// SPDX-License-Identifier: Apache-2.0
// Finding: what a detector found, as data (STYLE.md G10). The renderer (report.h) turns it into
// a lockdep-shaped text report and JSON; Signature() is the dedup key.
//
// Contract: a Finding holds no pointers into the run that produced it (it outlives the model
// and the scheduler), so everything is copied as strings. `title` and Signature() never
// contain addresses, thread ids, instance labels or step numbers: only the kind, lock class
// names and upstream function names, so that the same bug found by two engines, with two
// different programs, buckets together.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/sync/held_lock.h"
#include "model/sync/lock_class.h"
#include "model/sync/site.h"

namespace hvfuzz::check {

enum class FindingKind : uint8_t {
  kDeadlock,            // actual: every unfinished task is blocked (wait-for cycle or hang)
  kLockOrderCycle,      // potential deadlock: cycle in the lock-class dependency graph
  kRecursiveLocking,    // a class already held is acquired again without a nesting annotation
  kSleepInAtomic,       // a sleeping call with a spinning lock held / IRQs off / in interrupt
  kLockHeldAtReturn,    // an operation returned to user space holding a lock
  kBadUnlock,           // release of a lock the task does not hold
  kLockNotHeld,         // lockdep_assert_held failed
  kInvariantViolation,  // a model invariant does not hold
  kStepBudget,          // livelock or starvation: the step budget ran out
  kWatchdogHang,        // free-running mode: no progress within the wall-clock limit
};

// Stable names: "deadlock", "lock-order-cycle", "recursive-locking", "sleep-in-atomic",
// "lock-held-at-return", "bad-unlock", "lock-not-held", "invariant-violation",
// "step-budget", "watchdog-hang". They appear in titles, JSON and crash-file prefixes.
std::string_view FindingKindName(FindingKind kind);
// Crash-file prefix for the kind: "deadlock-", "lockorder-", "atomic-sleep-", ...
std::string_view FindingArtifactPrefix(FindingKind kind);
std::optional<FindingKind> FindingKindFromName(std::string_view name);
// The stable title "<kind> in <function>", e.g. "deadlock in kvm_xen_set_evtchn".
std::string FindingTitle(FindingKind kind, std::string_view function);

// How the kernel spells taking / releasing a lock of `kind` in `mode`, as reports show it:
// "lock", "spin_lock", "read_lock", "write_lock", "down_read", "down_write",
// "percpu_down_read", "srcu_read_lock", "synchronize_srcu" (an SRCU write is always a sync),
// "lock_map_acquire_read", ... With `trylock`: "trylock", "down_read_trylock", ...
std::string_view AcquireVerb(sync::LockKind kind, sync::AcquireMode mode, bool trylock = false);
// "unlock", "spin_unlock", "up_read", "srcu_read_unlock", "lock_map_release", ...
std::string_view ReleaseVerb(sync::LockKind kind, sync::AcquireMode mode);
// "model/gpc.cc:88", or empty for an unknown site.
std::string FormatSite(sync::Site site);

// One lock (or lockdep map, or event) as the report shows it.
struct LockRef {
  std::string lock_class;  // "&kvm->slots_lock"
  std::string instance;    // "vm0", or empty
  // The primitive's kind: decides how the report spells it ("down_read" vs "read_lock").
  sync::LockKind kind = sync::LockKind::kMutex;
  sync::AcquireMode mode = sync::AcquireMode::kExclusive;
  std::string site;                 // "model/memslots.cc:41", or empty
  std::vector<std::string> frames;  // upstream functions, innermost first

  // Copies a held-lock entry into report form.
  static LockRef FromHeld(const sync::HeldLock& held);
  // The acquisition as code would spell it: "down_read(&kvm->slots_lock)" (class, no label).
  std::string Action() const;
};

// "`to` was acquired while `from` was held", and where that was first seen. In a wait-for
// cycle (actual deadlock): task `task` holds `from` (what the previous task of the cycle waits
// for) and waits for `to`; `from.lock_class` is empty when the task holds nothing the previous
// task waits for but is queued ahead of it on the same lock (a waiting rwsem/percpu writer).
struct Dependency {
  LockRef from;
  LockRef to;
  int task = -1;
  std::string task_name;
  uint64_t step = 0;
};

// One task's state when the finding was made.
struct TaskSnapshot {
  int task = -1;
  std::string name;
  uint64_t step = 0;                   // the task's step (sync::Task::step) at the snapshot
  std::vector<std::string> frames;     // upstream functions it is in now, innermost first
  std::vector<LockRef> held;           // oldest first
  std::optional<LockRef> waiting_for;  // what it is blocked on (mode = what it asked for)
  // The wait as code would spell it: "lock(&kvm->lock)", "synchronize_srcu(&kvm->srcu)",
  // "wait_for_completion(&vcpu->done)"; empty when not waiting.
  std::string wait_action;
  // Tasks that must act first (wait-for edges), ascending.
  std::vector<int> blocked_by;
  bool finished = false;
};

// One event of the interleaving that led to the finding.
struct InterleavingStep {
  uint64_t step = 0;
  int task = -1;
  std::string action;  // "lock(&kvm->slots_lock)", "synchronize_srcu(&kvm->srcu)", ...
  std::string site;
  bool blocks = false;  // the task could not proceed here
};

struct ReplayInfo {
  std::string crash_file;    // filled by the front-end that wrote it
  uint64_t seed = 0;
  std::string strategy;      // "random", "pct depth=3", "replay"
  std::string program_text;  // canonical program text, when a program ran
};

struct Finding {
  FindingKind kind = FindingKind::kInvariantViolation;
  // Stable one-line title: "<kind> in <upstream function>", e.g.
  // "lock-order-cycle in kvm_xen_set_evtchn".
  std::string title;
  // One sentence on what happened, instance-specific (may name labels and tasks).
  std::string headline;
  int task = -1;  // the task that triggered it, -1 when none (deadlock)
  std::string task_name;
  std::optional<LockRef> acquiring;  // the acquisition that triggered it, if any
  std::string site;                  // where it was detected ("model/gpc.cc:88"), or empty
  std::vector<std::string> frames;   // upstream functions there, innermost first
  std::vector<Dependency> cycle;     // lock-order cycle, in order; closing edge last
  std::vector<TaskSnapshot> tasks;
  std::vector<InterleavingStep> interleaving;
  std::string invariant;             // kInvariantViolation: the invariant's stable name
  ReplayInfo replay;

  // Dedup key "<kind>|<classes>|<function>": the lock-order or wait-for cycle's classes
  // (Dependency::to, in cycle order) rotated to start at the smallest name; else, by kind:
  // recursive-locking, bad-unlock, lock-not-held: the acquiring class; sleep-in-atomic: the
  // acquiring class, then the spinning classes held (sorted); lock-held-at-return: the classes
  // held (sorted); invariant-violation: the invariant's name; deadlock/hang without a cycle and
  // step-budget: the classes waited for (sorted). <function> is what follows " in " in the
  // title, and empty for a cycle (which edge closes it depends on the interleaving; one cycle
  // is one bug). Never addresses, task ids, instance labels or steps.
  std::string Signature() const;
};

}  // namespace hvfuzz::check
