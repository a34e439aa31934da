// SPDX-License-Identifier: Apache-2.0
// PCT (Burckhardt et al., ASPLOS'10, Algorithm 1), adapted to decision points:
//  1. Reset: give the n tasks the priorities d, d+1, ..., d+n-1 in a random order (a
//     Fisher-Yates shuffle), and draw d-1 distinct change points k_1 < ... < k_{d-1} from [1, k].
//  2. At decision number i == k_j (the j-th change point, 1-based j), lower the priority of the
//     task at the decision point to d-j: below every initial priority and below every earlier
//     lowered task, as in the paper. When that task has just finished (current == -1), lower
//     the task that would have run instead.
//  3. Run the runnable task with the highest priority.
//  4. (Ours) A task that yields (cond_resched in a retry loop) drops below every other task:
//     without it, a high-priority spinner starves the task it waits for (a false livelock).
#include "fuzz/sched/pct_strategy.h"

#include <algorithm>

namespace hvfuzz::sched {

PctStrategy::PctStrategy(uint64_t seed, int depth, uint64_t steps)
    : seed_(seed), depth_(std::max(depth, 1)), steps_(std::max<uint64_t>(steps, 1)), rng_(seed) {
  Reset(0);
}

void PctStrategy::Reset(int num_tasks) {
  rng_ = internal::Prng(seed_);
  priority_.resize(static_cast<size_t>(num_tasks));
  for (int i = 0; i < num_tasks; ++i) priority_[i] = depth_ + i;
  for (int i = num_tasks - 1; i > 0; --i) {
    std::swap(priority_[i], priority_[rng_.Below(static_cast<uint64_t>(i) + 1)]);
  }
  change_points_.clear();
  uint64_t wanted = std::min<uint64_t>(static_cast<uint64_t>(depth_ - 1), steps_);
  while (change_points_.size() < wanted) {
    uint64_t k = 1 + rng_.Below(steps_);
    if (std::find(change_points_.begin(), change_points_.end(), k) == change_points_.end()) {
      change_points_.push_back(k);
    }
  }
  std::sort(change_points_.begin(), change_points_.end());
  next_change_ = 0;
  decisions_ = 0;
}

size_t PctStrategy::NextTask(std::span<const uint32_t> runnable, int current) {
  auto highest = [&] {
    size_t best = 0;
    for (size_t i = 1; i < runnable.size(); ++i) {
      if (priority_[runnable[i]] > priority_[runnable[best]]) best = i;
    }
    return best;
  };
  ++decisions_;
  if (next_change_ < change_points_.size() && change_points_[next_change_] == decisions_) {
    ++next_change_;
    uint32_t lowered = current >= 0 ? static_cast<uint32_t>(current) : runnable[highest()];
    priority_[lowered] = depth_ - static_cast<int>(next_change_);
  }
  return highest();
}

void PctStrategy::OnYield(uint32_t task) {
  if (task >= priority_.size()) return;
  int lowest = *std::min_element(priority_.begin(), priority_.end());
  if (priority_[task] != lowest) priority_[task] = lowest - 1;
}

std::string PctStrategy::Describe() const { return "pct depth=" + std::to_string(depth_); }

}  // namespace hvfuzz::sched
