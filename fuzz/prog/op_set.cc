// SPDX-License-Identifier: Apache-2.0
#include "fuzz/prog/op_set.h"

#include <cstdio>
#include <cstdlib>

namespace hvfuzz::prog {
namespace {

size_t NumOperations() {
  const size_t n = model::Operations().size();
  if (n > kMaxOperations) {
    std::fprintf(stderr, "hvfuzz: internal error: %zu model operations, the binary form holds %d\n",
                 n, kMaxOperations);
    std::abort();
  }
  return n;
}

}  // namespace

OpSet OpSet::All() {
  OpSet set;
  for (size_t op = 0; op < NumOperations(); ++op) set.members_.set(op);
  set.Rebuild();
  return set;
}

std::optional<OpSet> OpSet::ForSlices(std::string_view slices) {
  OpSet set;
  const auto ops = model::Operations();
  while (true) {
    const size_t comma = slices.find(',');
    const std::string_view slice = slices.substr(0, comma);
    bool matched = false;
    for (size_t op = 0; op < NumOperations(); ++op) {
      if (slice == "vm" || ops[op].slice == slice) {
        set.members_.set(op);
        matched = true;
      }
    }
    if (!matched) return std::nullopt;
    if (comma == std::string_view::npos) break;
    slices.remove_prefix(comma + 1);
  }
  set.Rebuild();
  return set;
}

void OpSet::Add(uint16_t op) {
  if (op >= NumOperations()) return;
  members_.set(op);
  Rebuild();
}

bool OpSet::ContainsAll(const Program& p) const {
  for (const auto& thread : p.threads) {
    for (const model::OpCall& call : thread) {
      if (!Contains(call.op)) return false;
    }
  }
  return true;
}

void OpSet::Rebuild() {
  std::array<uint16_t, kMaxOperations> members{};
  size_ = 0;
  const size_t n = NumOperations();
  for (size_t op = 0; op < n; ++op) {
    if (members_[op]) members[size_++] = static_cast<uint16_t>(op);
  }
  byte_to_op_.fill(0);
  if (size_ == 0) return;
  for (int b = 0; b < 256; ++b) {
    const size_t code = static_cast<size_t>(b) % n;
    byte_to_op_[b] = members_[code] ? static_cast<uint16_t>(code) : members[b % size_];
  }
}

}  // namespace hvfuzz::prog
