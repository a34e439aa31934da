// SPDX-License-Identifier: Apache-2.0
// The state of one Minimize() call (minimizer.h): the current best program, the memo of
// verdicts and the budget. Passes live in minimizer.cc (threads, ops, schedule) and
// minimizer_values.cc (header, arguments, schedule bytes); each returns true when it made the
// program smaller.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>

#include "fuzz/prog/minimizer.h"

namespace hvfuzz::prog::internal {

class MinimizerState {
 public:
  MinimizerState(const Program& p, const StillFails& still_fails, const MinimizeOptions& options,
                 MinimizeStats& stats);

  const Program& best() const { return best_; }
  bool budget_left() const { return stats_.predicate_calls < options_.max_predicate_calls; }

  // Accepts `candidate` as the new best when it still fails. Memoized; false once the budget is
  // spent.
  bool Try(const Program& candidate);

  bool DropThreads();
  bool DropOps();
  bool DropScheduleBytes();
  bool SimplifyHeader();
  bool ShrinkArgs();
  bool ShrinkScheduleBytes();

 private:
  // Smallest v in [lo, hi] with Try(set(v)) (assumes hi fails and searches as if monotone);
  // true when it lowered the value below hi.
  template <typename Set>
  bool ShrinkValue(uint64_t lo, uint64_t hi, Set set);

  Program best_;
  const StillFails& still_fails_;
  const MinimizeOptions& options_;
  MinimizeStats& stats_;
  std::unordered_map<uint64_t, bool> verdicts_;  // FNV-1a of canonical text -> still fails
};

}  // namespace hvfuzz::prog::internal
