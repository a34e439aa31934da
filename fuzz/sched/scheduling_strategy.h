// SPDX-License-Identifier: Apache-2.0
// SchedulingStrategy: who runs next when the controlled scheduler has a choice (Coyote's
// strategy interface; STYLE.md G13). One strategy per file, created by name: random_strategy,
// pct_strategy, replay_strategy, plus schedule_bytes_strategy, which puts the fuzzer's schedule
// bytes in front of any of them.
//
// Contract: the scheduler asks only when at least two tasks can run, so a strategy's input is
// consumed only by real choices. Decisions depend on the seed and the calls made since
// Reset(), nothing else (no addresses, no clocks), so a run is reproducible. Not thread-safe:
// the scheduler serializes calls. NextTask is on the scheduler's hot path: no allocation.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "fuzz/sched/schedule_options.h"

namespace hvfuzz::sched {

class SchedulingStrategy {
 public:
  virtual ~SchedulingStrategy() = default;

  // Prepares a run of `num_tasks` tasks with ids 0..num_tasks-1: afterwards the strategy makes
  // the same decisions as after its construction with the same parameters.
  virtual void Reset(int num_tasks) = 0;
  // Picks who runs next. Returns an index into `runnable` (task ids, ascending, size >= 2).
  // `current` is the task at the decision point, -1 when there is none (start of the run, or
  // the task finished); it is absent from `runnable` when it just blocked.
  virtual size_t NextTask(std::span<const uint32_t> runnable, int current) = 0;
  // A free choice the model makes (fault injection, nondeterministic branches).
  virtual bool NextBool() = 0;
  // A free choice in [0, bound), bound >= 1.
  virtual uint64_t NextInt(uint64_t bound) = 0;
  // How a report's replay line names the strategy: "random", "pct depth=3", "replay".
  virtual std::string Describe() const = 0;
  // `task` yielded (cond_resched in a retry loop): it waits for another task's progress.
  // Priority-based strategies must let others run, or a spinning task starves the very task
  // it waits for and the run ends in a false livelock. Default: nothing.
  virtual void OnYield(uint32_t task) {}
};

// The names CreateStrategy accepts, in a fixed order.
std::span<const std::string_view> StrategyNames();

// The strategy `options.strategy` names, seeded from `options`; wrapped in a
// ScheduleBytesStrategy when `options.schedule_bytes` is non-empty (except for "replay").
// Returns nullptr for an unknown name.
std::unique_ptr<SchedulingStrategy> CreateStrategy(const ScheduleOptions& options);

}  // namespace hvfuzz::sched
