// SPDX-License-Identifier: Apache-2.0
// The scheduler's record of one task, shared by the two halves of ControlledScheduler
// (controlled_scheduler.cc: run lifecycle; controlled_scheduler_switch.cc: decisions and
// switches), and ScopedTsanIgnore, the region every access to scheduler bookkeeping runs in.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "fuzz/sched/controlled_scheduler.h"
#include "fuzz/sched/fiber.h"
#include "model/sync/internal/tsan_hooks.h"
#include "model/sync/task.h"

namespace hvfuzz::sched {

struct ControlledScheduler::Slot {
  Slot(ControlledScheduler& s, int id, std::string name, std::function<void()> fn)
      : sched(s), task(id, std::move(name), s, s.no_observer_), body(std::move(fn)) {}

  ControlledScheduler& sched;
  sync::Task task;
  std::function<void()> body;
  std::optional<Fiber> fiber;  // exists during Run() only
  TaskState state = TaskState::kRunnable;
  sync::WaitChannel* parked_on = nullptr;
};

namespace internal {

// Scheduler bookkeeping (runnable set, trace, strategy, steps, slot states) is read and
// written by every fiber, and fibers switch without synchronizing under TSan (fiber.h), so
// each access runs inside a TSan ignore region. Ignore state is per fiber: a region begun
// before a switch ends when this same fiber resumes and leaves the scope.
class ScopedTsanIgnore {
 public:
  ScopedTsanIgnore() { sync::internal::TsanIgnoreBegin(); }
  ~ScopedTsanIgnore() { sync::internal::TsanIgnoreEnd(); }
  ScopedTsanIgnore(const ScopedTsanIgnore&) = delete;
  ScopedTsanIgnore& operator=(const ScopedTsanIgnore&) = delete;
};

[[noreturn]] void SchedulerInternalError(const std::string& what);

}  // namespace internal
}  // namespace hvfuzz::sched
