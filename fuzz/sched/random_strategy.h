// SPDX-License-Identifier: Apache-2.0
// RandomStrategy: every choice uniform among the runnable tasks (Coyote's RandomStrategy).
// Finds shallow bugs fast and is the default; deep bugs that need a task to stay preempted
// for many steps are PCT's job. Cost: one PRNG draw per decision.
#pragma once

#include <cstdint>

#include "fuzz/sched/internal/prng.h"
#include "fuzz/sched/scheduling_strategy.h"

namespace hvfuzz::sched {

class RandomStrategy final : public SchedulingStrategy {
 public:
  explicit RandomStrategy(uint64_t seed) : seed_(seed), rng_(seed) {}

  void Reset(int /*num_tasks*/) override { rng_ = internal::Prng(seed_); }
  size_t NextTask(std::span<const uint32_t> runnable, int /*current*/) override {
    return static_cast<size_t>(rng_.Below(runnable.size()));
  }
  bool NextBool() override { return rng_.Below(2) != 0; }
  uint64_t NextInt(uint64_t bound) override { return rng_.Below(bound); }
  std::string Describe() const override { return "random"; }

 private:
  uint64_t seed_;
  internal::Prng rng_;
};

}  // namespace hvfuzz::sched
