// SPDX-License-Identifier: Apache-2.0
// Minimize: structural test-case reduction of a Program (STYLE.md G12; after syzkaller's
// prog.Minimize and ddmin, Zeller & Hildebrandt 2002). A pure function over a predicate: it
// does not know what "fails" means (triage passes "replays to the same Finding title").
//
// Passes, coarse to fine, repeated until a whole round changes nothing (or the budget runs
// out): drop whole threads; drop ops (ddmin chunks, halving down to single ops); drop schedule
// bytes (chunks); simplify the header (fault off, each shape field towards its minimum, default
// strategy, seed 0); drop per-call fault points; reset op arguments to 0, then shrink them (binary search for the smallest
// value that still fails); zero schedule bytes, then shrink the ones that must stay (small
// values first: a byte picks among at most kMaxThreads threads). Every accepted candidate is
// smaller than the current program (fewer elements or smaller values), so the search ends.
//
// Contract: `still_fails(p)` must hold for the input (it is not re-checked). The result
// satisfies still_fails (or is the input) and is valid when the input is. Verdicts are memoized
// by a hash of the candidate's canonical text, so the predicate never sees the same program
// twice; it is called at most MinimizeOptions::max_predicate_calls times. Deterministic for a
// deterministic predicate. Not thread-safe with respect to the predicate: calls are sequential.
#pragma once

#include <cstdint>
#include <functional>

#include "fuzz/prog/program.h"

namespace hvfuzz::prog {

using StillFails = std::function<bool(const Program&)>;

struct MinimizeOptions {
  int max_predicate_calls = 5000;
};

struct MinimizeStats {
  int predicate_calls = 0;  // calls of still_fails
  int cache_hits = 0;       // candidates answered from the memo
  int reductions = 0;       // candidates accepted (each made the program smaller)
  int rounds = 0;           // full rounds of all passes
  bool budget_exhausted = false;
};

// The smallest program this search finds for which `still_fails` holds.
Program Minimize(const Program& p, const StillFails& still_fails, MinimizeStats* stats = nullptr,
                 const MinimizeOptions& options = {});

}  // namespace hvfuzz::prog
