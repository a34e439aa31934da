// SPDX-License-Identifier: Apache-2.0
#include "model/sync/held_lock.h"

#include <cstdio>
#include <cstdlib>

#include "model/sync/lock_base.h"

namespace hvfuzz::sync {

const char* AcquireModeName(AcquireMode mode) {
  switch (mode) {
    case AcquireMode::kExclusive: return "write";
    case AcquireMode::kRead: return "read";
    case AcquireMode::kRecursiveRead: return "recursive-read";
  }
  return "?";
}

const LockClass& HeldLock::lock_class() const { return lock->lock_class(); }

void HeldLockStack::Push(const HeldLock& held) {
  if (depth_ == kMaxDepth) {
    std::fprintf(stderr, "hvfuzz: internal error: more than %d locks held by one task\n",
                 kMaxDepth);
    std::abort();
  }
  locks_[depth_++] = held;
}

bool HeldLockStack::Remove(const LockBase* lock, HeldLock* removed) {
  for (int i = depth_ - 1; i >= 0; --i) {
    if (locks_[i].lock != lock) continue;
    if (removed) *removed = locks_[i];
    for (int j = i; j + 1 < depth_; ++j) locks_[j] = locks_[j + 1];
    --depth_;
    return true;
  }
  return false;
}

const HeldLock* HeldLockStack::Find(const LockBase* lock) const {
  for (int i = depth_ - 1; i >= 0; --i) {
    if (locks_[i].lock == lock) return &locks_[i];
  }
  return nullptr;
}

}  // namespace hvfuzz::sync
