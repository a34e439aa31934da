// SPDX-License-Identifier: Apache-2.0
// The Finding values LockOrderValidator records, one builder per kind. The validator decides;
// these only copy what the task and its held locks say into report form (hvfuzz::report's
// LockRef, TaskSnapshot, FindingTitle), with the title "<kind> in <function>" (the innermost
// upstream frame where it happened, else the model site) and a headline in the renderer's
// style ("t1 takes &kvm->lock inside &kvm->srcu (read), closing a cycle of 3 lock classes").
//
// Contract: pure functions of their arguments; they allocate, so the validator calls them only
// once a finding (or a new dependency) is certain, never on its warm path.
#pragma once

#include <string_view>
#include <vector>

#include "fuzz/check/finding.h"
#include "model/sync/held_lock.h"
#include "model/sync/lock_base.h"
#include "model/sync/task.h"

namespace hvfuzz::check::internal {

// "`to` was acquired while `from` was held", seen now by `task`.
Dependency DependencyOf(const sync::Task& task, const sync::HeldLock& from,
                        const sync::HeldLock& to);

// The same, unformatted: what LockRef::FromHeld reads from a held-lock entry, copied so that
// it outlives the lock (class, subclass, instance label, mode, site, frames), plus the task.
// Recording one costs a few word copies and short-string copies, no formatting: the validator
// keeps every new dependency in this form and formats (Format below) only the ones a finding
// shows, or when asked for all of them. Format(RawDependencyOf(t, f, to)) equals
// DependencyOf(t, f, to) field for field.
struct RawLockRef {
  const sync::LockClass* lock_class = nullptr;  // null: no lock (LockRef's empty class)
  std::string instance;
  uint8_t subclass = 0;
  sync::AcquireMode mode = sync::AcquireMode::kExclusive;
  sync::Site site;
  sync::FrameSnapshot frames;
};
struct RawDependency {
  RawLockRef from;
  RawLockRef to;
  int task = -1;
  std::string task_name;
  uint64_t step = 0;
};
RawDependency RawDependencyOf(const sync::Task& task, const sync::HeldLock& from,
                              const sync::HeldLock& to);
Dependency Format(const RawDependency& raw);

// `acquiring` (an SRCU write: synchronize_srcu), taken while holding `holding`, closed
// `cycle` (dependencies in order, the one just recorded last).
Finding LockOrderCycleFinding(const sync::Task& task, const sync::HeldLock& acquiring,
                              const sync::HeldLock& holding, std::vector<Dependency> cycle);

// `acquiring` is of the class (+subclass) of `held`, which the task already holds.
Finding RecursiveLockingFinding(const sync::Task& task, const sync::HeldLock& acquiring,
                                const sync::HeldLock& held);

// might_sleep() at `site` while task.InAtomic(); `sleeping` is the acquisition that sleeps
// there (mutex_lock, down_read, synchronize_srcu), or null for a bare might_sleep.
Finding SleepInAtomicFinding(const sync::Task& task, sync::Site site,
                             const sync::HeldLock* sleeping);

// `operation` returned to user space with task.held() not empty.
Finding LockHeldAtReturnFinding(const sync::Task& task, std::string_view operation);

Finding BadUnlockFinding(const sync::Task& task, const sync::LockBase& lock, sync::Site site);

Finding LockNotHeldFinding(const sync::Task& task, const sync::LockBase& lock, sync::Site site);

Finding InvariantViolationFinding(const sync::Task& task, std::string_view invariant,
                                  std::string_view detail, sync::Site site);

}  // namespace hvfuzz::check::internal
