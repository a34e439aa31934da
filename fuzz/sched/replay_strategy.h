// SPDX-License-Identifier: Apache-2.0
// ReplayStrategy: follows a recorded ScheduleTrace (task ids, one per decision), so that a
// crash file's trace reproduces its run exactly (Coyote's replay strategy; STYLE.md G13).
// When the recorded task is not runnable, or the trace has ended, the run has left the
// recording: the strategy falls back to the first runnable task (lowest id) and remembers the
// first such decision. The scheduler reports divergence by comparing traces (ScheduleTrace::
// replay_divergence), which also catches a run that ends before the trace does.
// NextBool/NextInt consume trace entries as values. Cost: O(runnable) per decision.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "fuzz/sched/scheduling_strategy.h"

namespace hvfuzz::sched {

class ReplayStrategy final : public SchedulingStrategy {
 public:
  explicit ReplayStrategy(std::vector<uint32_t> trace) : trace_(std::move(trace)) {}

  void Reset(int /*num_tasks*/) override {
    pos_ = 0;
    divergence_.reset();
  }
  size_t NextTask(std::span<const uint32_t> runnable, int current) override;
  bool NextBool() override { return Next(2) != 0; }
  uint64_t NextInt(uint64_t bound) override { return Next(bound); }
  std::string Describe() const override { return "replay"; }

  // Index of the first decision that could not follow the trace, if any.
  std::optional<size_t> divergence() const { return divergence_; }

 private:
  // The next trace entry if it is below `bound`; otherwise 0 and a divergence.
  uint64_t Next(uint64_t bound);

  std::vector<uint32_t> trace_;
  size_t pos_ = 0;
  std::optional<size_t> divergence_;
};

}  // namespace hvfuzz::sched
