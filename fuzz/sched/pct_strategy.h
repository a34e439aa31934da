// SPDX-License-Identifier: Apache-2.0
// PctStrategy: probabilistic concurrency testing (Burckhardt, Kothari, Musuvathi, Nagarakatte,
// "A Randomized Scheduler with Probabilistic Guarantees of Finding Bugs", ASPLOS'10). Each task
// gets a distinct random priority; the highest-priority runnable task always runs; at d-1
// random change points the running task drops below every other. A bug of depth d (d ordering
// constraints) is hit with probability >= 1/(n * k^(d-1)) per run, n tasks, k decisions.
//
// Here a "step" of the paper is a decision with two or more runnable tasks (the only ones that
// reach a strategy), counted from Reset(); k is ScheduleOptions::pct_steps. Cost: O(runnable)
// per decision, no allocation after Reset().
#pragma once

#include <cstdint>
#include <vector>

#include "fuzz/sched/internal/prng.h"
#include "fuzz/sched/scheduling_strategy.h"

namespace hvfuzz::sched {

class PctStrategy final : public SchedulingStrategy {
 public:
  // `depth` < 1 is treated as 1 (no change points); `steps` < 1 as 1.
  PctStrategy(uint64_t seed, int depth, uint64_t steps);

  void Reset(int num_tasks) override;
  size_t NextTask(std::span<const uint32_t> runnable, int current) override;
  // A yielding task drops below every other task (as CHESS and Coyote do for spin loops), so
  // a high-priority task spinning on another's progress cannot starve it.
  void OnYield(uint32_t task) override;
  bool NextBool() override { return rng_.Below(2) != 0; }
  uint64_t NextInt(uint64_t bound) override { return rng_.Below(bound); }
  std::string Describe() const override;

  // Test-only views of the current run's plan.
  const std::vector<uint64_t>& TestOnlyChangePoints() const { return change_points_; }
  int TestOnlyPriority(uint32_t task) const { return priority_[task]; }

 private:
  uint64_t seed_;
  int depth_;
  uint64_t steps_;
  internal::Prng rng_;
  void LowerBelowAllOthers(uint32_t task);

  std::vector<int> priority_;            // by task id; higher runs first; always distinct
  std::vector<uint64_t> change_points_;  // ascending decision numbers (1-based)
  size_t next_change_ = 0;
  uint64_t decisions_ = 0;
};

}  // namespace hvfuzz::sched
