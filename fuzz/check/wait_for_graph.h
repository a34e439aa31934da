// SPDX-License-Identifier: Apache-2.0
// WaitForGraph: who is blocked on whom *right now* (distinct from the lock-order graph, which
// records what was ever taken before what; STYLE.md G4). Built from the tasks of a run when a
// backend sees that nothing can progress, it yields the actual-deadlock Finding: the wait-for
// cycle if there is one, otherwise every blocked task with what it waits on ("hang").
//
// Contract: call only while the tasks cannot change (controlled scheduler: between switches;
// free-running: all threads blocked, watchdog holds the snapshot). No internal locking.
// Every task that holds a lock must still be alive (a finished task's Task object included:
// its leaked locks name it). Cost: O(tasks x (tasks + wait-for edges)) for the shortest cycle
// (one BFS per blocked task; runs hold a handful of tasks), plus copying the held locks.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "fuzz/check/finding.h"
#include "model/sync/task.h"

namespace hvfuzz::check {

// One task of a run as its backend sees it. Only the backend knows whether a task's body has
// returned; a finished task can still appear as a blocker (it leaked a lock).
struct TaskState {
  const sync::Task* task = nullptr;
  bool finished = false;
};

// A copy of every task's id, name, step, current frames, held locks (oldest first) and wait:
// `waiting_for` (with the wait's site and the task's frames), `wait_action`, and `blocked_by`
// (ids from Waitable::BlockersOf, ascending, deduplicated; may name tasks not in `tasks`).
// Same order as `tasks`.
std::vector<TaskSnapshot> SnapshotTasks(std::span<const TaskState> tasks);

// The actual-deadlock finding for `tasks` (kind kDeadlock or, with `watchdog`, kWatchdogHang).
// With a wait-for cycle among unfinished blocked tasks: the shortest one (ties: the one found
// first in `tasks` order) in `cycle`, one Dependency per task (see Dependency), rotated to start
// at the task whose waited-for class name (then wait frame) is smallest; the title names the
// innermost frame of that task's wait ("deadlock in kvm_xen_set_evtchn"), so it does not depend
// on task ids. Without a cycle (a lock held by a finished task, an event nobody signals): empty
// `cycle`, a headline naming those causes, and the title from the wait with the smallest class
// name. `tasks` holds every snapshot; `task` is -1.
Finding BuildDeadlockFinding(std::span<const TaskState> tasks, bool watchdog = false);

// The step-budget finding (livelock/starvation) for `tasks` after `steps` scheduling points:
// every task in `tasks`, title "step-budget in <f>" with <f> the smallest innermost frame name
// among runnable unfinished tasks, else among blocked ones (stable across task ids).
Finding BuildStepBudgetFinding(std::span<const TaskState> tasks, uint64_t steps);

}  // namespace hvfuzz::check
