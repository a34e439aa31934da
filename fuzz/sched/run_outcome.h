// SPDX-License-Identifier: Apache-2.0
// RunOutcome: how a run of model tasks ended, for both backends (controlled scheduler and
// free-running threads). A backend-detected finding (actual deadlock, step budget, watchdog
// hang) travels in `finding`; findings of observers (the validator) stay with the observer.
#pragma once

#include <cstdint>
#include <optional>

#include "fuzz/check/finding.h"

namespace hvfuzz::sched {

enum class RunStatus : uint8_t {
  kCompleted,     // every task returned
  kDeadlock,      // every unfinished task was blocked (controlled) / watchdog fired (free)
  kStepBudget,    // the step budget ran out (livelock or starvation)
  kStopped,       // RequestStop() was called (e.g. after an observer's finding)
};

struct RunOutcome {
  RunStatus status = RunStatus::kCompleted;
  std::optional<check::Finding> finding;  // set for kDeadlock and kStepBudget
  uint64_t steps = 0;                     // scheduling points executed
};

}  // namespace hvfuzz::sched
