// SPDX-License-Identifier: Apache-2.0
// HeldLock and HeldLockStack: what one task holds right now, in acquisition order, like
// lockdep's task_struct::held_locks. The sync primitives push and pop entries; detectors only
// read them. An entry also describes an acquisition in progress (the validator sees it before
// the task blocks, as lockdep's lock_acquire does).
//
// Contract: no internal locking (a stack belongs to one task and is only written by it);
// fixed capacity kMaxDepth (lockdep's MAX_LOCK_DEPTH), overflow is a harness invariant failure.
// Push/Pop are O(1)/O(depth) with no allocation.
#pragma once

#include <array>
#include <cstdint>

#include "model/sync/site.h"

namespace hvfuzz::sync {

class LockBase;
class LockClass;

// How a lock is acquired, in lockdep's terms (read=0/1/2).
enum class AcquireMode : uint8_t {
  kExclusive,      // mutex, spin_lock, down_write, write_lock, map acquire, synchronize (lock_sync)
  kRead,           // non-recursive shared reader: down_read, percpu_down_read, queued read_lock
  kRecursiveRead,  // recursive reader: srcu_read_lock, read_lock in interrupt context, map read
};

const char* AcquireModeName(AcquireMode mode);

// The upstream function names active when a lock was taken, innermost first (a tiny,
// allocation-free stand-in for lockdep's stack trace). Filled from the task's KernelFrame stack.
struct FrameSnapshot {
  static constexpr int kMaxFrames = 4;
  std::array<const char*, kMaxFrames> names{};
  uint8_t depth = 0;

  const char* Innermost() const { return depth ? names[0] : "?"; }
};

struct HeldLock {
  const LockBase* lock = nullptr;
  AcquireMode mode = AcquireMode::kExclusive;
  uint8_t subclass = 0;               // lockdep subclass (mutex_lock_nested)
  bool trylock = false;               // trylocks record no dependency
  const LockBase* nest_lock = nullptr;  // mutex_lock_nest_lock: same-class nesting allowed
  Site site;
  FrameSnapshot frames;
  uint64_t step = 0;                  // scheduler step at acquisition (0 when unknown)

  const LockClass& lock_class() const;
};

class HeldLockStack {
 public:
  static constexpr int kMaxDepth = 48;

  int depth() const { return depth_; }
  bool empty() const { return depth_ == 0; }
  const HeldLock& at(int i) const { return locks_[i]; }
  const HeldLock* begin() const { return locks_.data(); }
  const HeldLock* end() const { return locks_.data() + depth_; }

  void Push(const HeldLock& held);
  // Removes the most recent entry for `lock` (any mode) and returns true, or returns false when
  // the task does not hold it. Out-of-order release is allowed, as in the kernel.
  bool Remove(const LockBase* lock, HeldLock* removed = nullptr);
  // The most recent entry for `lock`, or nullptr.
  const HeldLock* Find(const LockBase* lock) const;
  void Clear() { depth_ = 0; }

 private:
  std::array<HeldLock, kMaxDepth> locks_{};
  int depth_ = 0;
};

}  // namespace hvfuzz::sync
