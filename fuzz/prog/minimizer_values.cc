// SPDX-License-Identifier: Apache-2.0
// Minimizer value passes (minimizer.h): the header, op arguments and schedule bytes move
// towards their simplest values (fault off, per-call faults off, shape minimums, default strategy, seed 0,
// arguments 0, schedule bytes 0 or small); a value that cannot reach its minimum is
// binary-searched.
#include <algorithm>

#include "fuzz/prog/internal/minimizer_state.h"
#include "fuzz/prog/shape_fields.h"

namespace hvfuzz::prog::internal {

template <typename Set>
bool MinimizerState::ShrinkValue(uint64_t lo, uint64_t hi, Set set) {
  if (hi <= lo) return false;
  Program candidate = best_;
  set(candidate, lo);
  if (Try(candidate)) return true;
  // Invariant: the value `lo` passes, `hi` (the current one) fails.
  const uint64_t original = hi;
  while (hi - lo > 1 && budget_left()) {
    const uint64_t mid = lo + (hi - lo) / 2;
    candidate = best_;
    set(candidate, mid);
    if (Try(candidate)) {
      hi = mid;
    } else {
      lo = mid;
    }
  }
  return hi < original;
}

bool MinimizerState::SimplifyHeader() {
  bool progress = false;
  if (best_.header.fault.fail_nth != 0) {
    Program candidate = best_;
    candidate.header.fault.fail_nth = 0;
    progress |= Try(candidate);
  }
  for (const ShapeField& field : ShapeFields()) {
    progress |= ShrinkValue(field.min, field.get(best_.header.shape), [&](Program& c, uint64_t v) {
      field.set(c.header.shape, static_cast<uint32_t>(v));
    });
  }
  const ProgramHeader defaults;
  if (best_.header.strategy != defaults.strategy || best_.header.pct_depth != defaults.pct_depth) {
    Program candidate = best_;
    candidate.header.strategy = defaults.strategy;
    candidate.header.pct_depth = defaults.pct_depth;
    progress |= Try(candidate);
  }
  if (best_.header.seed != 0) {
    Program candidate = best_;
    candidate.header.seed = 0;
    progress |= Try(candidate);
  }
  return progress;
}

bool MinimizerState::ShrinkArgs() {
  bool progress = false;
  for (size_t t = 0; t < best_.threads.size(); ++t) {
    for (size_t i = 0; i < best_.threads[t].size(); ++i) {
      // A per-call fault point is dropped or kept, not searched: the n-th step of a call is
      // a different error path for each n, with no order among them.
      if (best_.threads[t][i].fail_nth != 0) {
        Program candidate = best_;
        candidate.threads[t][i].fail_nth = 0;
        progress |= Try(candidate);
      }
      for (int a = 0; a < model::kMaxOpArgs; ++a) {
        progress |= ShrinkValue(0, best_.threads[t][i].args[a], [&](Program& c, uint64_t v) {
          c.threads[t][i].args[a] = static_cast<uint32_t>(v);
        });
      }
    }
  }
  return progress;
}

bool MinimizerState::ShrinkScheduleBytes() {
  bool progress = false;
  for (size_t chunk = best_.schedule.size(); chunk >= 1 && budget_left(); chunk /= 2) {
    for (size_t start = 0; start < best_.schedule.size() && budget_left(); start += chunk) {
      const size_t end = std::min(start + chunk, best_.schedule.size());
      Program candidate = best_;
      std::fill(candidate.schedule.begin() + start, candidate.schedule.begin() + end, 0);
      if (candidate.schedule != best_.schedule) progress |= Try(candidate);
    }
  }
  // A byte that must stay non-zero usually picks among at most kMaxThreads runnable threads
  // (byte % n), so the small values come first; then a binary search.
  for (size_t i = 0; i < best_.schedule.size() && budget_left(); ++i) {
    bool done = false;
    for (uint8_t v = 1; v < kMaxThreads && v < best_.schedule[i] && !done; ++v) {
      Program candidate = best_;
      candidate.schedule[i] = v;
      done = Try(candidate);
    }
    progress |= done;
    if (!done) {
      progress |= ShrinkValue(0, best_.schedule[i], [i](Program& c, uint64_t v) {
        c.schedule[i] = static_cast<uint8_t>(v);
      });
    }
  }
  return progress;
}

}  // namespace hvfuzz::prog::internal
