// SPDX-License-Identifier: Apache-2.0
// RunOne: the one execution path (STYLE.md G14). Fuzz targets, replay, triage and the
// regression tests all run a Program through this function, so a finding means the same thing
// everywhere: a fresh model World with the given bug switches, one model task per program
// thread under the controlled scheduler, and the detectors (lockdep-style validator,
// actual-deadlock and step-budget detection, model invariants) as observers.
//
// Contract: deterministic: the same (program, options) gives the same result, report text and
// signature, every time. Not thread-safe (one run at a time per OS thread). Never prints.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "fuzz/check/finding.h"
#include "fuzz/prog/program.h"
#include "fuzz/sched/run_outcome.h"
#include "model/bug_switches.h"
#include "model/sync/sync_observer.h"

namespace hvfuzz::exec {

// Where model tasks run: fibers under the controlled scheduler (deterministic, replayable), or
// real threads with real blocking under the wall-clock watchdog (TSan's view of real
// concurrency; the naive baseline of the benchmarks; not replayable).
enum class Backend : uint8_t { kControlled, kFreeRunning };

struct RunOptions {
  Backend backend = Backend::kControlled;
  model::BugSwitches bugs;
  // The lockdep-style lock-order validator. Off: only actual deadlocks, the step budget, model
  // invariants and leaks at return are detected (benchmark mode (c)).
  bool validate = true;
  // The check for locks held when an operation returns to user space (lockdep_sys_exit). Off
  // only for the naive harness of the benchmarks (mode (d)), which has no lockdep at all: a
  // leaked lock is then seen only when the next task to want it hangs (the watchdog).
  bool leak_check = true;
  uint64_t max_steps = 20000;
  // Keep the interleaving and task snapshots in the finding (off only for raw throughput).
  bool record_interleaving = true;
  // Extra observer for coverage feedback (fuzz targets: lock-order features), or null.
  sync::SyncObserver* feedback = nullptr;
};

struct RunResult {
  std::optional<check::Finding> finding;
  sched::RunStatus status = sched::RunStatus::kCompleted;
  uint64_t steps = 0;
  std::vector<uint32_t> trace;  // the scheduler's decisions, replayable with strategy "replay"
};

RunResult RunOne(const prog::Program& program, const RunOptions& options);

}  // namespace hvfuzz::exec
