// SPDX-License-Identifier: Apache-2.0
// FlatU64Map: an open-addressing hash map from 64-bit keys to small trivially copyable values,
// for the validator's hot lookups (edge by (from, to), node by lock class, the chain cache).
// Linear probing over a power-of-two table kept at most half full; erase shifts the following
// entries back (no tombstones), so lookups never degrade after many removals.
//
// Contract: key kEmptyKey (~0) is reserved and must never be inserted (callers remap it).
// No internal locking. Find/Contains never allocate; Insert allocates only when it grows the
// table. Iteration order is the table order: deterministic for a given sequence of calls.
#pragma once

#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <utility>
#include <vector>

namespace hvfuzz::check::internal {

template <class V>
class FlatU64Map {
  static_assert(std::is_trivially_copyable_v<V>, "FlatU64Map holds trivially copyable values");

 public:
  static constexpr uint64_t kEmptyKey = ~uint64_t{0};

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

  const V* Find(uint64_t key) const {
    if (size_ == 0) return nullptr;
    for (size_t i = Home(key);; i = Next(i)) {
      const Slot& s = slots_[i];
      if (s.key == key) return &s.value;
      if (s.key == kEmptyKey) return nullptr;
    }
  }
  V* Find(uint64_t key) { return const_cast<V*>(static_cast<const FlatU64Map*>(this)->Find(key)); }
  bool Contains(uint64_t key) const { return Find(key) != nullptr; }

  // Inserts `value` under `key` unless the key is present. Returns the stored value and
  // whether it was inserted now.
  std::pair<V*, bool> Insert(uint64_t key, V value) {
    if ((size_ + 1) * 2 > slots_.size()) Grow();
    size_t i = Home(key);
    for (; slots_[i].key != kEmptyKey; i = Next(i)) {
      if (slots_[i].key == key) return {&slots_[i].value, false};
    }
    slots_[i] = Slot{key, value};
    ++size_;
    return {&slots_[i].value, true};
  }

  // Removes `key`; returns whether it was present.
  bool Erase(uint64_t key) {
    if (size_ == 0) return false;
    size_t hole = Home(key);
    while (slots_[hole].key != key) {
      if (slots_[hole].key == kEmptyKey) return false;
      hole = Next(hole);
    }
    // Backward-shift deletion: pull later entries of the probe run into the hole unless their
    // home slot lies cyclically in (hole, j], where they must stay to remain reachable.
    for (size_t j = Next(hole); slots_[j].key != kEmptyKey; j = Next(j)) {
      size_t home = Home(slots_[j].key);
      bool stays = hole < j ? (hole < home && home <= j) : (hole < home || home <= j);
      if (stays) continue;
      slots_[hole] = slots_[j];
      hole = j;
    }
    slots_[hole].key = kEmptyKey;
    --size_;
    return true;
  }

  void Clear() {
    slots_.clear();
    size_ = 0;
    shift_ = 64;
  }

  // Calls f(key, value) for every entry.
  template <class F>
  void ForEach(F&& f) const {
    for (const Slot& s : slots_) {
      if (s.key != kEmptyKey) f(s.key, s.value);
    }
  }

 private:
  struct Slot {
    uint64_t key = kEmptyKey;
    V value{};
  };

  // Fibonacci hashing: the top bits of key * 2^64/phi index a table of 2^(64 - shift_) slots.
  size_t Home(uint64_t key) const {
    return static_cast<size_t>((key * 0x9E3779B97F4A7C15ull) >> shift_);
  }
  size_t Next(size_t i) const { return (i + 1) & (slots_.size() - 1); }

  void Grow() {
    std::vector<Slot> old = std::move(slots_);
    size_t capacity = old.empty() ? 16 : old.size() * 2;
    slots_.assign(capacity, Slot{});
    shift_ = 64 - __builtin_ctzll(capacity);
    size_ = 0;
    for (const Slot& s : old) {
      if (s.key != kEmptyKey) Insert(s.key, s.value);
    }
  }

  std::vector<Slot> slots_;
  size_t size_ = 0;
  int shift_ = 64;
};

}  // namespace hvfuzz::check::internal
