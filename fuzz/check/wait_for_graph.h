// SPDX-License-Identifier: Apache-2.0
// WaitForGraph: who is blocked on whom *right now* (distinct from the lock-order graph, which
// records what was ever taken before what; STYLE.md G4). Built from the tasks of a run when a
// backend sees that nothing can progress, it yields the actual-deadlock Finding: the wait-for
// cycle if there is one, otherwise every blocked task with what it waits on ("hang").
//
// Contract: call only while the tasks cannot change (controlled scheduler: between switches;
// free-running: all threads blocked, watchdog holds the snapshot). No internal locking.
// Cost: O(tasks + wait-for edges).
#pragma once

#include <span>
#include <vector>

#include "fuzz/check/finding.h"
#include "model/sync/task.h"

namespace hvfuzz::check {

// A copy of every task's held locks and wait state, with wait-for edges (blocked_by).
std::vector<TaskSnapshot> SnapshotTasks(std::span<const sync::Task* const> tasks);

// The actual-deadlock finding for `tasks` (kind kDeadlock or, with `watchdog`, kWatchdogHang):
// the shortest wait-for cycle among blocked tasks in `cycle`/`headline`, all tasks in `tasks`.
Finding BuildDeadlockFinding(std::span<const sync::Task* const> tasks, bool watchdog = false);

// The step-budget finding (livelock/starvation) for `tasks` after `steps` scheduling points.
Finding BuildStepBudgetFinding(std::span<const sync::Task* const> tasks, uint64_t steps);

}  // namespace hvfuzz::check
