// SPDX-License-Identifier: Apache-2.0
// ControlledScheduler's hot path: the SyncRuntime calls, the decision and the switch. There is
// no scheduler fiber: a task decides on its own stack and switches straight to the chosen
// task, so a scheduling point is one fiber switch (or none when the same task is chosen).
#include <algorithm>
#include <exception>

#include "fuzz/sched/controlled_scheduler.h"
#include "fuzz/sched/internal/controlled_slot.h"

namespace hvfuzz::sched {

using internal::ScopedTsanIgnore;

// Never throws: release and wake points run inside destructors (RAII unlocks), where an
// exception would terminate. When the run ends here, the task returns marked unwinding and
// the primitive decides: acquisitions and waits throw TaskKilled, releases go on silently.
void ControlledScheduler::SchedulingPoint(sync::Task& task, sync::SchedulingPoint point) {
  if (task.unwinding()) [[unlikely]] return;
  ScopedTsanIgnore ignore;
  // One compare covers the step budget and a stop request (RequestStop lowers the limit to 0).
  if (steps_ >= step_limit_) [[unlikely]] {
    EndRun(stop_requested_ ? RunStatus::kStopped : RunStatus::kStepBudget, SlotOf(task));
    return;  // EndRun returns only when UnwindAll resumes this task, marked unwinding
  }
  task.set_step(++steps_);
  if (point == sync::SchedulingPoint::kYield) [[unlikely]] strategy_->OnYield(task.id());
  const size_t n = runnable_.size();
  if (n < 2) return;  // only this task can run: no decision, no input consumed
  size_t i = strategy_->NextTask(runnable_, task.id());
  if (i >= n) [[unlikely]]
    internal::SchedulerInternalError("strategy chose outside the runnable set");
  const uint32_t next = runnable_[i];
  trace_.Record(next);
  if (static_cast<int>(next) == task.id()) return;  // the same task goes on: no switch
  // Resumed either by another task's decision or, marked unwinding, by UnwindAll.
  SwitchFrom(*SlotOf(task), static_cast<int>(next));
}

void ControlledScheduler::Wait(sync::Task& task, sync::WaitChannel& channel) {
  if (task.unwinding()) ThrowIfKilledElseAbort("a task waited while being unwound");
  Slot& slot = *SlotOf(task);
  {
    ScopedTsanIgnore ignore;
    // Parked before deciding: the decision must not pick this task, and a Wake() from whoever
    // runs next must find it on the channel.
    slot.state = TaskState::kParked;
    slot.parked_on = &channel;
    channel.parked.push_back(&task);
    RemoveRunnable(task.id());
    int next = stop_requested_ ? -1 : PickNext(task.id());
    if (next >= 0) {
      SwitchFrom(slot, next);
    } else {
      // Nobody can run: every unfinished task is parked. Detected here, at the moment it
      // happens, before any task state changes.
      EndRun(stop_requested_ ? RunStatus::kStopped : RunStatus::kDeadlock, &slot);
    }
  }
  if (task.unwinding()) throw sync::TaskKilled{};
}

void ControlledScheduler::Wake(sync::WaitChannel& channel) {
  ScopedTsanIgnore ignore;
  for (sync::Task* t : channel.parked) {
    if (&t->runtime() != this) internal::SchedulerInternalError("woke a foreign task");
    Slot& s = *SlotOf(*t);
    s.parked_on = nullptr;
    if (s.state == TaskState::kParked) {
      s.state = TaskState::kRunnable;
      MakeRunnable(s);
    }
  }
  channel.parked.clear();
}

int ControlledScheduler::PickNext(int current) {
  const size_t n = runnable_.size();
  if (n == 0) return -1;
  if (n == 1) return static_cast<int>(runnable_[0]);  // no choice: consumes no input
  size_t i = strategy_->NextTask(runnable_, current);
  if (i >= n) internal::SchedulerInternalError("strategy chose outside the runnable set");
  trace_.Record(runnable_[i]);
  return static_cast<int>(runnable_[i]);
}

void ControlledScheduler::SwitchFrom(Slot& from, int to) {
  // The current task is per OS thread, shared by all fibers: set it before the switch, for
  // the task that will run after it (the resumed task finds itself installed).
  sync::SetCurrentTask(tasks_[to]);
  // The resumed task's events happen after the step that chose it, not at the step where it
  // was switched out: report rows (and "newest first" edge orders) stay in step order.
  tasks_[to]->set_step(steps_);
  from.fiber->SwitchTo(*fibers_[to]);
}

void ControlledScheduler::MakeRunnable(Slot& slot) {
  uint32_t id = static_cast<uint32_t>(slot.task.id());
  auto it = std::lower_bound(runnable_.begin(), runnable_.end(), id);
  if (it == runnable_.end() || *it != id) runnable_.insert(it, id);
}

void ControlledScheduler::RemoveRunnable(int id) {
  auto it = std::lower_bound(runnable_.begin(), runnable_.end(), static_cast<uint32_t>(id));
  if (it != runnable_.end() && *it == static_cast<uint32_t>(id)) runnable_.erase(it);
}

void ControlledScheduler::ThrowIfKilledElseAbort(const char* where) {
  if (std::uncaught_exceptions() == 0) throw sync::TaskKilled{};
  internal::SchedulerInternalError(where);
}

}  // namespace hvfuzz::sched
