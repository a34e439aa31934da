// SPDX-License-Identifier: Apache-2.0
// StateGuard: the scope in which a primitive reads or writes its own bookkeeping. It serializes
// against other tasks through the backend (a real mutex in free-running mode, nothing under the
// controlled scheduler) and hides the accesses from TSan (see tsan_hooks.h, rule 2).
#pragma once

#include "model/sync/internal/tsan_hooks.h"
#include "model/sync/sync_runtime.h"

namespace hvfuzz::sync::internal {

class StateGuard {
 public:
  StateGuard(SyncRuntime& runtime, WaitChannel& channel) : runtime_(runtime), channel_(channel) {
    TsanIgnoreBegin();
    runtime_.LockState(channel_);
  }
  ~StateGuard() {
    runtime_.UnlockState(channel_);
    TsanIgnoreEnd();
  }
  StateGuard(const StateGuard&) = delete;
  StateGuard& operator=(const StateGuard&) = delete;

 private:
  SyncRuntime& runtime_;
  WaitChannel& channel_;
};

}  // namespace hvfuzz::sync::internal
