// SPDX-License-Identifier: Apache-2.0
#include "fuzz/prog/internal/spelling.h"

#include <algorithm>
#include <vector>

#include "model/operations.h"

namespace hvfuzz::prog::internal {

int EditDistance(std::string_view a, std::string_view b, int cap) {
  if (static_cast<int>(std::max(a.size(), b.size()) - std::min(a.size(), b.size())) > cap) {
    return cap + 1;
  }
  // One row of the dynamic-programming table: row[j] = distance(a[0..i), b[0..j)).
  std::vector<int> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = static_cast<int>(j);
  for (size_t i = 1; i <= a.size(); ++i) {
    int diagonal = row[0];
    row[0] = static_cast<int>(i);
    for (size_t j = 1; j <= b.size(); ++j) {
      const int above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] != b[j - 1] ? 1 : 0)});
      diagonal = above;
    }
  }
  return std::min(row[b.size()], cap + 1);
}

std::string SuggestOperation(std::string_view name) {
  constexpr int kMaxDistance = 2;
  std::string_view best;
  int best_distance = kMaxDistance + 1;
  for (const model::OpSpec& spec : model::Operations()) {
    const int d = EditDistance(name, spec.name, kMaxDistance);
    if (d < best_distance) {
      best = spec.name;
      best_distance = d;
    }
  }
  if (best.empty()) return {};
  return " (did you mean '" + std::string(best) + "'?)";
}

}  // namespace hvfuzz::prog::internal
