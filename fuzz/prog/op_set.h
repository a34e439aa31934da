// SPDX-License-Identifier: Apache-2.0
// OpSet: the operations one fuzz target may decode, a subset of model::Operations() chosen by
// slice (OpSpec::slice: "memslots", "mmu", "gpc", "xen", "global"; "vm" means every
// operation). The binary decoder maps each op byte through it, so a target's inputs only ever
// contain its own operations.
//
// Contract: a value type of fixed size (no heap allocation; build it once per target),
// immutable once built, safe to share between threads. Building costs O(256 + #ops).
// FromByte is O(1). Op codes index model::Operations(), which holds at most 255 entries (the
// binary form spends one byte per op code; more is a harness bug and aborts).
#pragma once

#include <array>
#include <bitset>
#include <cstdint>
#include <optional>
#include <string_view>

#include "fuzz/prog/program.h"

namespace hvfuzz::prog {

inline constexpr int kMaxOperations = 255;

class OpSet {
 public:
  // The empty set (decodes no operations).
  OpSet() = default;
  // Every operation of the model.
  static OpSet All();
  // `slices` is a comma-separated list of slice names, e.g. "gpc" or "gpc,memslots"; "vm"
  // stands for every operation. Nullopt when a name matches no operation's slice.
  static std::optional<OpSet> ForSlices(std::string_view slices);

  // Adds op code `op` (ignored when it does not index model::Operations()).
  void Add(uint16_t op);
  bool Contains(uint16_t op) const { return op < members_.size() && members_[op]; }
  // True when every op of every thread of `p` is in the set.
  bool ContainsAll(const Program& p) const;
  bool empty() const { return size_ == 0; }
  int size() const { return size_; }

  // The operation an op byte `b` selects: op code b % #ops when that op is in the set,
  // otherwise the (b % size())-th member in code order. So an op byte equal to a member's op
  // code always selects that op, under every OpSet that contains it (the encoder relies on
  // this). Precondition: !empty().
  uint16_t FromByte(uint8_t b) const { return byte_to_op_[b]; }

 private:
  void Rebuild();

  std::bitset<kMaxOperations> members_;
  std::array<uint16_t, 256> byte_to_op_{};
  int size_ = 0;
};

}  // namespace hvfuzz::prog
