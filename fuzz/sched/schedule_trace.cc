// SPDX-License-Identifier: Apache-2.0
#include "fuzz/sched/schedule_trace.h"

#include <algorithm>
#include <cctype>

namespace hvfuzz::sched {

std::string ScheduleTrace::ToText() const {
  constexpr size_t kPerLine = 32;
  std::string out;
  for (size_t i = 0; i < decisions.size(); ++i) {
    if (i > 0) out += (i % kPerLine == 0) ? '\n' : ' ';
    out += 't';
    out += std::to_string(decisions[i]);
  }
  return out;
}

std::optional<std::vector<uint32_t>> ScheduleTrace::ParseText(std::string_view text,
                                                              std::string* error) {
  auto fail = [&](size_t pos, const char* what) -> std::optional<std::vector<uint32_t>> {
    if (error) *error = "col " + std::to_string(pos + 1) + ": " + what;
    return std::nullopt;
  };
  std::vector<uint32_t> out;
  size_t i = 0;
  while (i < text.size()) {
    if (std::isspace(static_cast<unsigned char>(text[i]))) {
      ++i;
      continue;
    }
    if (text[i] != 't') return fail(i, "expected 't<task id>'");
    size_t start = ++i;
    uint64_t id = 0;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
      id = id * 10 + static_cast<uint64_t>(text[i] - '0');
      if (id > UINT32_MAX) return fail(start, "task id out of range");
      ++i;
    }
    if (i == start) return fail(start, "expected a task id after 't'");
    if (i < text.size() && !std::isspace(static_cast<unsigned char>(text[i]))) {
      return fail(i, "expected whitespace after a task id");
    }
    out.push_back(static_cast<uint32_t>(id));
  }
  return out;
}

std::optional<size_t> ScheduleTrace::FirstDifference(const std::vector<uint32_t>& replayed,
                                                     const std::vector<uint32_t>& run) {
  auto [a, b] = std::mismatch(replayed.begin(), replayed.end(), run.begin(), run.end());
  if (a == replayed.end() && b == run.end()) return std::nullopt;
  return static_cast<size_t>(a - replayed.begin());
}

}  // namespace hvfuzz::sched
