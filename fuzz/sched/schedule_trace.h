// SPDX-License-Identifier: Apache-2.0
// ScheduleTrace: the decisions of one controlled run, in order (Coyote's ScheduleTrace). Each
// entry is the id of the task chosen at a decision point with two or more runnable tasks;
// decisions without a choice are not recorded, exactly as they consume no input. Task ids
// rather than indices into the runnable set: a trace reads as an interleaving ("t0 t1 t1"),
// and a replay that leaves the recording is noticed (the recorded task is not runnable)
// instead of silently picking some other task. Running with strategy "replay" and these
// decisions reproduces the run exactly.
//
// Text form (STYLE.md G11): the decisions as "t<id>" separated by single spaces, 32 per line;
// ParseText accepts any whitespace and is the exact inverse of ToText.
// Contract: a value type, no internal locking. Record is amortized O(1).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hvfuzz::sched {

struct ScheduleTrace {
  std::vector<uint32_t> decisions;
  // Replay runs only: the index of the first decision that differs from the trace replayed
  // (its task was not runnable, the run outlived the trace, or the run ended with recorded
  // decisions left: then the index is the trace position where it ended). nullopt: the run
  // followed the trace exactly, or was no replay.
  std::optional<size_t> replay_divergence;

  void Record(uint32_t task) { decisions.push_back(task); }
  size_t size() const { return decisions.size(); }

  std::string ToText() const;
  // The decisions of `text`, or nullopt with `error` set to "col <n>: <what>" (1-based).
  static std::optional<std::vector<uint32_t>> ParseText(std::string_view text,
                                                        std::string* error = nullptr);

  // Where `replayed` (the recording) and `run` (what the replay did) first differ.
  static std::optional<size_t> FirstDifference(const std::vector<uint32_t>& replayed,
                                               const std::vector<uint32_t>& run);

  friend bool operator==(const ScheduleTrace&, const ScheduleTrace&) = default;
};

}  // namespace hvfuzz::sched
