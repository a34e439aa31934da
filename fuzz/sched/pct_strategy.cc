// SPDX-License-Identifier: Apache-2.0
// PCT (Burckhardt et al., ASPLOS'10, Algorithm 1), adapted to decision points:
//  1. Reset: give the n tasks the priorities d, d+1, ..., d+n-1 in a random order (a
//     Fisher-Yates shuffle), and draw d-1 distinct change points k_1 < ... < k_{d-1} from [1, k].
//  2. At decision number i == k_j (the j-th change point, 1-based j), lower the priority of the
//     task at the decision point below every other task: d-j in the paper (below every initial
//     priority and every earlier lowered task), one lower when a yield got there first. When that task has just finished (current == -1), lower
//     the task that would have run instead.
//  3. Run the runnable task with the highest priority.
//  4. (Ours) A task that yields (cond_resched in a retry loop) drops below every other task:
//     without it, a high-priority spinner starves the task it waits for (a false livelock).
//     Rules 2 and 4 keep priorities distinct (LowerBelowAllOthers).
#include "fuzz/sched/pct_strategy.h"

#include <algorithm>
#include <climits>

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
    LowerBelowAllOthers(current >= 0 ? static_cast<uint32_t>(current) : runnable[highest()]);
  }
  return highest();
}

void PctStrategy::OnYield(uint32_t task) {
  if (task < priority_.size()) LowerBelowAllOthers(task);
}

// Without yields this is the paper's d-j: the j-th change point goes one below the (j-1)-th,
// and the first one below the lowest initial priority d. With yields, the paper's fixed d-j
// could equal a priority a yield already gave another task; highest() would then break the
// tie by position in the runnable set, every time, and a spinner listed first would starve
// the task it waits for. Priorities therefore stay distinct.
void PctStrategy::LowerBelowAllOthers(uint32_t task) {
  int lowest_other = INT_MAX;
  for (size_t t = 0; t < priority_.size(); ++t) {
    if (t != task) lowest_other = std::min(lowest_other, priority_[t]);
  }
  if (lowest_other != INT_MAX && priority_[task] >= lowest_other) {
    priority_[task] = lowest_other - 1;
  }
}

std::string PctStrategy::Describe() const { return "pct depth=" + std::to_string(depth_); }

}  // namespace hvfuzz::sched
