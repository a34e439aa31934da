// SPDX-License-Identifier: Apache-2.0
#include "fuzz/sched/replay_strategy.h"

namespace hvfuzz::sched {

size_t ReplayStrategy::NextTask(std::span<const uint32_t> runnable, int /*current*/) {
  size_t decision = pos_++;
  if (decision < trace_.size()) {
    for (size_t i = 0; i < runnable.size(); ++i) {
      if (runnable[i] == trace_[decision]) return i;
    }
  }
  if (!divergence_) divergence_ = decision;
  return 0;
}

uint64_t ReplayStrategy::Next(uint64_t bound) {
  size_t decision = pos_++;
  if (decision < trace_.size() && trace_[decision] < bound) return trace_[decision];
  if (!divergence_) divergence_ = decision;
  return 0;
}

}  // namespace hvfuzz::sched
