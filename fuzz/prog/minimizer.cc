// SPDX-License-Identifier: Apache-2.0
// Minimizer driver and structural passes (minimizer.h). Algorithm:
//   1. Memoize the input as failing.
//   2. Repeat rounds until one changes nothing or the budget is spent; each round runs, in
//      order: drop threads, drop op chunks per thread, drop schedule chunks, simplify the
//      header, shrink arguments, zero schedule chunks.
//   3. Chunk passes are ddmin's complement step: chunk size n, n/2, ..., 1; a chunk whose
//      removal keeps the failure is removed and the same position is tried again.
#include <algorithm>

#include "fuzz/prog/internal/minimizer_state.h"
#include "fuzz/prog/text_codec.h"

namespace hvfuzz::prog {
namespace internal {
namespace {

uint64_t Fnv1a(std::string_view s) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (char c : s) {
    h ^= static_cast<uint8_t>(c);
    h *= 0x100000001b3ull;
  }
  return h;
}

// Drops chunks of the vector `access(program)` (ddmin complement step).
template <typename Access>
bool DropChunks(MinimizerState& state, Access access) {
  bool progress = false;
  for (size_t chunk = access(state.best()).size(); chunk >= 1 && state.budget_left(); chunk /= 2) {
    size_t start = 0;
    while (start < access(state.best()).size() && state.budget_left()) {
      Program candidate = state.best();
      auto& v = access(candidate);
      v.erase(v.begin() + start, v.begin() + std::min(start + chunk, v.size()));
      if (state.Try(candidate)) {
        progress = true;
      } else {
        start += chunk;
      }
    }
  }
  return progress;
}

}  // namespace

MinimizerState::MinimizerState(const Program& p, const StillFails& still_fails,
                               const MinimizeOptions& options, MinimizeStats& stats)
    : best_(p), still_fails_(still_fails), options_(options), stats_(stats) {
  verdicts_[Fnv1a(Print(p))] = true;
}

bool MinimizerState::Try(const Program& candidate) {
  const uint64_t key = Fnv1a(Print(candidate));
  bool fails = false;
  if (const auto it = verdicts_.find(key); it != verdicts_.end()) {
    ++stats_.cache_hits;
    fails = it->second;
  } else {
    if (!budget_left()) return false;
    ++stats_.predicate_calls;
    fails = still_fails_(candidate);
    verdicts_.emplace(key, fails);
  }
  if (fails && !(candidate == best_)) {
    best_ = candidate;
    ++stats_.reductions;
    return true;
  }
  return false;
}

bool MinimizerState::DropThreads() {
  bool progress = false;
  for (size_t t = best_.threads.size(); t-- > 0 && best_.threads.size() > 1;) {
    Program candidate = best_;
    candidate.threads.erase(candidate.threads.begin() + t);
    progress |= Try(candidate);
  }
  return progress;
}

bool MinimizerState::DropOps() {
  bool progress = false;
  for (size_t t = 0; t < best_.threads.size(); ++t) {
    progress |= DropChunks(
        *this, [t](auto& p) -> auto& { return p.threads[t]; });
  }
  return progress;
}

bool MinimizerState::DropScheduleBytes() {
  return DropChunks(
      *this, [](auto& p) -> auto& { return p.schedule; });
}

}  // namespace internal

Program Minimize(const Program& p, const StillFails& still_fails, MinimizeStats* stats,
                 const MinimizeOptions& options) {
  MinimizeStats local;
  MinimizeStats& s = stats != nullptr ? *stats : local;
  s = MinimizeStats{};
  internal::MinimizerState state(p, still_fails, options, s);
  bool progress = true;
  while (progress && state.budget_left()) {
    ++s.rounds;
    progress = false;
    progress |= state.DropThreads();
    progress |= state.DropOps();
    progress |= state.DropScheduleBytes();
    progress |= state.SimplifyHeader();
    progress |= state.ShrinkArgs();
    progress |= state.ShrinkScheduleBytes();
  }
  s.budget_exhausted = !state.budget_left();
  return state.best();
}

}  // namespace hvfuzz::prog
