// SPDX-License-Identifier: Apache-2.0
// ScheduleOptions: everything besides the tasks themselves that decides a controlled run.
// A run is fully determined by (tasks, options): the same pair gives the same interleaving,
// outcome and trace, on every machine (the strategies use their own PRNG, never std::
// distributions, whose output differs between standard libraries).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace hvfuzz::sched {

struct ScheduleOptions {
  // Who decides once the schedule bytes are used up: "random" (uniform among runnable tasks),
  // "pct" (priority-based, Burckhardt et al. ASPLOS'10) or "replay" (follow `replay`).
  std::string strategy = "random";
  // Seeds the strategy's PRNG (random: choices; pct: priorities and change points).
  uint64_t seed = 0;
  // PCT's d: bugs of depth d are found with probability >= 1/(n * k^(d-1)); d-1 change points.
  int pct_depth = 3;
  // PCT's k: the expected number of decisions in a run; change points are drawn from [1, k].
  // Too large wastes change points after the run's end, too small bunches them at its start.
  uint64_t pct_steps = 500;
  // Consumed first, one byte per decision: the choice is byte % (number of runnable tasks),
  // an index into the runnable tasks sorted by id. Ignored by "replay" (a recorded trace
  // already contains the decisions the bytes made).
  std::vector<uint8_t> schedule_bytes;
  // For "replay": the ScheduleTrace::decisions of the run to reproduce.
  std::vector<uint32_t> replay;
  // Scheduling points after which the run ends with RunStatus::kStepBudget.
  uint64_t max_steps = 100000;
};

}  // namespace hvfuzz::sched
