// SPDX-License-Identifier: Apache-2.0
// SingleTaskRuntime: the smallest SyncRuntime, for unit tests of primitives and of single-task
// model operations. It runs one task on the calling thread; a Wait() can never be satisfied,
// so it throws TaskKilled (the caller's test then sees the exception instead of a hang).
#pragma once

#include "model/sync/sync_observer.h"
#include "model/sync/sync_runtime.h"
#include "model/sync/task.h"

namespace hvfuzz::sync {

class SingleTaskRuntime final : public SyncRuntime {
 public:
  explicit SingleTaskRuntime(SyncObserver& observer, std::string name = "t0")
      : task_(0, std::move(name), *this, observer) {
    SetCurrentTask(&task_);
  }
  ~SingleTaskRuntime() override { SetCurrentTask(nullptr); }

  Task& task() { return task_; }
  int waits() const { return waits_; }

  void SchedulingPoint(Task&, sync::SchedulingPoint) override {}
  void LockState(WaitChannel&) override {}
  void UnlockState(WaitChannel&) override {}
  void Wait(Task&, WaitChannel&) override {
    ++waits_;
    throw TaskKilled{};
  }
  void Wake(WaitChannel&) override {}

 private:
  Task task_;
  int waits_ = 0;
};

}  // namespace hvfuzz::sync
