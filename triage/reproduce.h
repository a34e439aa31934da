// SPDX-License-Identifier: Apache-2.0
// Reproduce: turn a crash program into a deterministic finding under the controlled scheduler,
// and minimize it (STYLE.md G12) while keeping that finding's signature. Every run goes through
// exec::RunOne (G14), the path fuzzing and the regression tests use.
//
// Reproduction, in order (the first that yields a finding wins):
//   1. the program as it is, with the crash's bug switches;
//   2. a search for a deterministic reproducer, for crashes that do not replay (free-running
//      TSan sessions, where real threads chose the interleaving): the header is rewritten to
//      each strategy (random; pct with depth 1..kMaxPctDepth) and seed 0..N, first with the
//      schedule bytes kept, then without them, up to `search_budget` runs;
//   3. when the crash's switches are not known (a bare libFuzzer/AFL++ artifact without a
//      session record, no --bug), steps 1-2 are repeated with each single bug switch on.
// With an expected title (from the report beside the crash), steps 2-3 accept only a finding
// with that title; step 1 accepts any finding (the replay is the truth for replayable input).
//
// Contract: deterministic (RunOne is); never prints; no internal state. Cost: up to
// 1 + search_budget RunOne calls per switch set tried (a run is tens of microseconds to a few
// milliseconds), and Minimize's predicate budget.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "fuzz/check/finding.h"
#include "fuzz/prog/minimizer.h"
#include "fuzz/prog/program.h"
#include "model/bug_switches.h"

namespace hvfuzz::triage {

struct ReproduceOptions {
  uint64_t max_steps = 20000;  // RunOne's step budget (the fuzz targets' default)
  int search_budget = 3000;    // RunOne calls per switch set in step 2
  int max_seed = 64;           // seeds 0..max_seed-1 per strategy in step 2
  // Minimization, pass 1: header variants tried per candidate (random and pct depth
  // 1..minimize_max_depth, seeds 0..minimize_seeds-1).
  int minimize_seeds = 8;
  int minimize_max_depth = 4;
};

struct Reproduction {
  bool reproduced = false;
  check::Finding finding;            // the finding (replay info filled by RunOne)
  prog::Program program;             // the program that reproduces it (header maybe rewritten)
  std::vector<std::string> bugs;     // the switches it needs (names, table order)
  std::string how;                   // "replays as is", "search: pct depth=2 seed=0x7 ...", ...
  int runs = 0;                      // RunOne calls spent
};

// Bug switch names -> BugSwitches; false and `unknown` set on an unknown name.
bool ParseBugs(const std::vector<std::string>& names, model::BugSwitches* bugs,
               std::string* unknown);

// One deterministic run: the finding, if any.
std::optional<check::Finding> RunControlled(const prog::Program& p,
                                            const std::vector<std::string>& bugs,
                                            const ReproduceOptions& options);

// Steps 1-3 above. `bugs_known` false enables step 3.
Reproduction Reproduce(const prog::Program& program, const std::vector<std::string>& bugs,
                       bool bugs_known, const std::string& expected_title,
                       const ReproduceOptions& options);

struct Minimized {
  prog::Program program;
  check::Finding finding;  // the minimized program's finding (same signature)
  prog::MinimizeStats stats;
};

// Minimize `program` (which must reproduce `signature` with `bugs`) keeping the signature. Two
// passes of prog::Minimize: the first accepts a candidate when it or one of its header variants
// (strategy, PCT depth, seed) reproduces, because removing an operation moves every later
// scheduling point and with it the seeded strategy's choices; the second starts from the
// reproducing variant and requires the exact program. The result reproduces as it is.
Minimized MinimizeKeepingSignature(const prog::Program& program,
                                   const std::vector<std::string>& bugs,
                                   const std::string& signature, const ReproduceOptions& options);

// The switches `program` needs for `signature`: each of `bugs` is dropped in turn and stays
// out when the signature survives without it (a session may run several switches at once).
std::vector<std::string> MinimizeSwitches(const prog::Program& program,
                                          const std::vector<std::string>& bugs,
                                          const std::string& signature,
                                          const ReproduceOptions& options);

}  // namespace hvfuzz::triage
