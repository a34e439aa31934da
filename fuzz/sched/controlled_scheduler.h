// SPDX-License-Identifier: Apache-2.0
// ControlledScheduler: the controlled backend of DESIGN.md's *Executing a program*. Model tasks
// run on fibers on the calling thread, one at a time; the scheduler decides at every
// SchedulingPoint() who runs next, parks a task that Wait()s until a Wake() of its channel,
// and sees an actual deadlock the moment every unfinished task is parked.
//
// Decisions: at each decision point (a SchedulingPoint, a task parking or finishing, the start
// of the run) the candidates are the runnable tasks sorted by id. Only when there are two or
// more does the decision consume input: schedule bytes first (byte % n), then the seeded
// strategy ("random", "pct", "replay"; scheduling_strategy.h). Each such decision appends the
// chosen task id to trace(); running again with strategy "replay" and that trace reproduces the
// run. A run is fully determined by (tasks, options). Choosing the running task costs no switch.
//
// Steps: each SchedulingPoint() call is one step; the task is stamped with it (Task::step).
// The step that would exceed options.max_steps ends the run with kStepBudget instead.
//
// Ending: on a deadlock (kDeadlock, with check::BuildDeadlockFinding), the step budget
// (kStepBudget, check::BuildStepBudgetFinding) or RequestStop() (kStopped), the scheduler
// returns to Run()'s caller's stack, builds the finding while no task can move, then unwinds
// every unfinished task in id order: Task::set_unwinding(true) and resume it, so that its
// pending Wait()/SchedulingPoint() throws sync::TaskKilled and RAII guards release their locks
// silently. A task that never ran is not started. After Run() no fiber is alive.
//
// Contract: single-threaded; Spawn() and Run() on one thread, Run() once per scheduler. The
// SyncRuntime methods are called by the running task only; LockState/UnlockState are no-ops
// (one task runs at a time). RequestStop() may be called from inside a task (an observer's
// on-finding callback): the task runs on until its next decision point, then the run ends.
// Exceptions other than TaskKilled escaping a task body are a harness bug (abort).
// Cost (release, bench/sched_bench.cc): a point that keeps the running task ~2.6 ns; one that
// switches ~10 ns (a bare Fiber switch is 2.0 ns between two fibers in the same loop, 8.8 ns in
// a ping-pong of two different loops); no allocation per step besides the trace's amortized
// growth. The switching point is latency-bound: the next stack depends on the decision.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "fuzz/check/finding.h"
#include "fuzz/check/wait_for_graph.h"
#include "fuzz/sched/fiber.h"
#include "fuzz/sched/run_outcome.h"
#include "fuzz/sched/schedule_options.h"
#include "fuzz/sched/schedule_trace.h"
#include "fuzz/sched/scheduling_strategy.h"
#include "model/sync/sync_observer.h"
#include "model/sync/sync_runtime.h"
#include "model/sync/task.h"

namespace hvfuzz::sched {

class ControlledScheduler final : public sync::SyncRuntime {
 public:
  // Aborts with "hvfuzz: internal error" for an unknown options.strategy (front-ends validate
  // names against StrategyNames()).
  explicit ControlledScheduler(ScheduleOptions options);
  ~ControlledScheduler() override;
  ControlledScheduler(const ControlledScheduler&) = delete;
  ControlledScheduler& operator=(const ControlledScheduler&) = delete;

  // Adds a task with the next id (0, 1, ...) that will run `body`. Before Run() only.
  sync::Task& Spawn(std::string name, std::function<void()> body);

  // Installs `observer` on every task (in TSan builds behind a wrapper that hides its calls
  // from TSan: it is harness state, not model state) and runs them until all finished, a
  // deadlock, the step budget or a stop request. Returns how it ended; finding set for
  // kDeadlock/kStepBudget (its replay line names the seed and strategy).
  RunOutcome Run(sync::SyncObserver& observer);

  // Ends the run at the next decision point with kStopped. Safe from inside a task.
  void RequestStop();

  const ScheduleTrace& trace() const { return trace_; }
  // Scheduling points executed so far.
  uint64_t steps() const { return steps_; }
  std::span<sync::Task* const> tasks() const { return tasks_; }
  // Every task with whether its body has returned, for wait-for snapshots (e.g. taken by an
  // observer's on-finding callback, before the unwinding empties the held stacks).
  std::vector<check::TaskState> TaskStates() const;
  const ScheduleOptions& options() const { return options_; }

  // sync::SyncRuntime, called by the running task.
  void SchedulingPoint(sync::Task& task, sync::SchedulingPoint point) override;
  void LockState(sync::WaitChannel&) override {}
  void UnlockState(sync::WaitChannel&) override {}
  void Wait(sync::Task& task, sync::WaitChannel& channel) override;
  void Wake(sync::WaitChannel& channel) override;

 private:
  enum class TaskState : uint8_t { kRunnable, kParked, kFinished };
  struct Slot;  // one task: its Task, body, fiber and scheduling state

  static Fiber& TaskMain(void* slot);
  static Slot* SlotOf(sync::Task& task) { return static_cast<Slot*>(task.backend_data()); }
  // Hot path (controlled_scheduler_switch.cc).
  int PickNext(int current);
  void SwitchFrom(Slot& from, int to);
  void MakeRunnable(Slot& slot);
  void RemoveRunnable(int id);
  [[noreturn]] void ThrowIfKilledElseAbort(const char* where);
  // Run lifecycle (controlled_scheduler.cc).
  void EndRun(RunStatus status, Slot* from);
  Fiber& NextAfterExit(Slot& slot);
  void BuildFinding();
  void UnwindAll();

  ScheduleOptions options_;
  std::unique_ptr<SchedulingStrategy> strategy_;
  std::vector<std::unique_ptr<Slot>> slots_;
  std::vector<sync::Task*> tasks_;
  sync::SyncObserver no_observer_;  // tasks' observer until Run() installs the real one
  // TSan builds: the observer wrapped in TSan ignore regions (tsan_ignoring_observer.h).
  std::unique_ptr<sync::SyncObserver> tsan_observer_;
  // Scheduler bookkeeping: touched by every fiber, only inside TSan ignore regions (see .cc).
  std::vector<uint32_t> runnable_;  // task ids, ascending
  std::vector<Fiber*> fibers_;      // by task id, during Run(): one load less per switch
  ScheduleTrace trace_;
  uint64_t steps_ = 0;
  uint64_t step_limit_ = 0;  // options.max_steps, or 0 once a stop is requested
  Fiber* home_ = nullptr;    // Run()'s caller's stack while running
  bool ran_ = false;
  bool ending_ = false;  // decided to end: no more decisions, only unwinding
  bool stop_requested_ = false;
  RunStatus status_ = RunStatus::kCompleted;
  std::optional<check::Finding> finding_;
};

}  // namespace hvfuzz::sched
