// SPDX-License-Identifier: Apache-2.0
// Helpers that make parse errors actionable: name lists and "did you mean" suggestions.
#pragma once

#include <string>
#include <string_view>

namespace hvfuzz::prog::internal {

// "a, b, c" for any range of string-like names.
template <typename Range>
std::string JoinNames(const Range& names) {
  std::string out;
  for (const auto& name : names) {
    if (!out.empty()) out += ", ";
    out += std::string_view(name);
  }
  return out;
}

// Levenshtein distance (insert, delete, substitute), capped: anything above `cap` is cap + 1.
int EditDistance(std::string_view a, std::string_view b, int cap);

// " (did you mean 'memslot.set'?)" for the closest operation name within edit distance 2, or
// an empty string.
std::string SuggestOperation(std::string_view name);

}  // namespace hvfuzz::prog::internal
