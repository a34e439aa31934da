// SPDX-License-Identifier: Apache-2.0
// ControlledScheduler's run lifecycle: spawning, starting the first task, ending the run
// (deadlock, budget, stop, completion), building the finding and unwinding what is left.
#include "fuzz/sched/controlled_scheduler.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <exception>

#include "fuzz/check/wait_for_graph.h"
#include "fuzz/sched/internal/controlled_slot.h"
#include "fuzz/sched/internal/tsan_ignoring_observer.h"

namespace hvfuzz::sched {

using internal::ScopedTsanIgnore;

void internal::SchedulerInternalError(const std::string& what) {
  std::fprintf(stderr, "hvfuzz: internal error: controlled scheduler: %s\n", what.c_str());
  std::abort();
}

ControlledScheduler::ControlledScheduler(ScheduleOptions options)
    : options_(std::move(options)),
      strategy_(CreateStrategy(options_)),
      step_limit_(options_.max_steps) {
  if (!strategy_) internal::SchedulerInternalError("unknown strategy '" + options_.strategy + "'");
}

ControlledScheduler::~ControlledScheduler() = default;

sync::Task& ControlledScheduler::Spawn(std::string name, std::function<void()> body) {
  if (ran_) internal::SchedulerInternalError("Spawn() after Run()");
  int id = static_cast<int>(slots_.size());
  slots_.push_back(std::make_unique<Slot>(*this, id, std::move(name), std::move(body)));
  slots_.back()->task.set_backend_data(slots_.back().get());
  tasks_.push_back(&slots_.back()->task);
  return slots_.back()->task;
}

void ControlledScheduler::RequestStop() {
  ScopedTsanIgnore ignore;
  stop_requested_ = true;
  step_limit_ = 0;
}

RunOutcome ControlledScheduler::Run(sync::SyncObserver& observer) {
  if (ran_) internal::SchedulerInternalError("Run() called twice");
  ran_ = true;
  const int n = static_cast<int>(slots_.size());
  sync::SyncObserver* installed = &observer;
  if constexpr (sync::internal::kTsan) {
    tsan_observer_ = std::make_unique<internal::TsanIgnoringObserver>(observer);
    installed = tsan_observer_.get();
  }
  for (auto& s : slots_) s->task.set_observer(*installed);
  strategy_->Reset(n);
  runnable_.reserve(static_cast<size_t>(n));  // no allocation on MakeRunnable from here on
  for (int i = 0; i < n; ++i) runnable_.push_back(static_cast<uint32_t>(i));
  trace_.decisions.reserve(1024);
  int first = PickNext(-1);

  Fiber home;
  home_ = &home;
  for (auto& s : slots_) {
    s->fiber.emplace(&TaskMain, s.get(), s->task.name().c_str());
    fibers_.push_back(&*s->fiber);
  }
  if (first >= 0) {
    sync::SetCurrentTask(&slots_[first]->task);
    home.SwitchTo(*slots_[first]->fiber);
  }
  // Back on the caller's stack: every task finished, or the run was ended at a decision point
  // and no task has moved since.
  sync::SetCurrentTask(nullptr);
  BuildFinding();
  UnwindAll();
  fibers_.clear();
  for (auto& s : slots_) s->fiber.reset();
  home_ = nullptr;
  if (options_.strategy == "replay") {
    trace_.replay_divergence = ScheduleTrace::FirstDifference(options_.replay, trace_.decisions);
  }
  return RunOutcome{status_, finding_, steps_};
}

Fiber& ControlledScheduler::TaskMain(void* arg) {
  Slot& slot = *static_cast<Slot*>(arg);
  try {
    slot.body();
  } catch (const sync::TaskKilled&) {
    // Unwound after the run ended; RAII guards released its locks on the way out.
  } catch (const std::exception& e) {
    internal::SchedulerInternalError("task '" + slot.task.name() + "' threw: " + e.what());
  } catch (...) {
    internal::SchedulerInternalError("task '" + slot.task.name() + "' threw a non-std exception");
  }
  return slot.sched.NextAfterExit(slot);
}

Fiber& ControlledScheduler::NextAfterExit(Slot& slot) {
  ScopedTsanIgnore ignore;
  slot.state = TaskState::kFinished;
  RemoveRunnable(slot.task.id());
  sync::SetCurrentTask(nullptr);
  if (ending_) return *home_;  // unwinding: UnwindAll resumes the next one
  if (stop_requested_) {
    EndRun(RunStatus::kStopped, nullptr);
    return *home_;
  }
  int next = PickNext(-1);
  if (next >= 0) {
    sync::SetCurrentTask(&slots_[next]->task);
    slots_[next]->task.set_step(steps_);  // as in SwitchFrom: it runs after this step
    return *slots_[next]->fiber;
  }
  bool all_finished = std::all_of(slots_.begin(), slots_.end(),
                                  [](const auto& s) { return s->state == TaskState::kFinished; });
  // The last runnable task finished while others are parked: nobody will ever wake them.
  EndRun(all_finished ? RunStatus::kCompleted : RunStatus::kDeadlock, nullptr);
  return *home_;
}

void ControlledScheduler::EndRun(RunStatus status, Slot* from) {
  status_ = status;
  ending_ = true;
  if (from == nullptr) return;  // a finishing task: its final switch goes home
  sync::SetCurrentTask(nullptr);
  from->fiber->SwitchTo(*home_);
}

std::vector<check::TaskState> ControlledScheduler::TaskStates() const {
  ScopedTsanIgnore ignore;  // scheduler state, also read from inside a task
  std::vector<check::TaskState> states;
  states.reserve(slots_.size());
  for (const auto& s : slots_) {
    states.push_back(check::TaskState{&s->task, s->state == TaskState::kFinished});
  }
  return states;
}

void ControlledScheduler::BuildFinding() {
  if (status_ != RunStatus::kDeadlock && status_ != RunStatus::kStepBudget) return;
  // The tasks' states were written by fibers whose switch home did not synchronize (it ran
  // inside an ignore region); nothing runs concurrently, so reading them unseen is safe.
  ScopedTsanIgnore ignore;
  std::vector<check::TaskState> states = TaskStates();
  finding_ = status_ == RunStatus::kDeadlock ? check::BuildDeadlockFinding(states)
                                             : check::BuildStepBudgetFinding(states, steps_);
  finding_->replay.seed = options_.seed;
  finding_->replay.strategy = strategy_->Describe();
}

void ControlledScheduler::UnwindAll() {
  for (auto& s : slots_) {
    if (s->state == TaskState::kFinished) continue;
    s->task.set_unwinding(true);
    // Off the channel first: the channel belongs to a lock that may outlive this scheduler.
    if (s->parked_on != nullptr) {
      auto& parked = s->parked_on->parked;
      parked.erase(std::remove(parked.begin(), parked.end(), &s->task), parked.end());
      s->parked_on = nullptr;
    }
    if (!s->fiber->started()) {
      s->state = TaskState::kFinished;  // never ran: nothing to unwind
      continue;
    }
    // Its pending Wait()/SchedulingPoint() throws TaskKilled; it finishes back into home.
    sync::SetCurrentTask(&s->task);
    home_->SwitchTo(*s->fiber);
  }
  sync::SetCurrentTask(nullptr);
}

}  // namespace hvfuzz::sched
