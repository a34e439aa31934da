// SPDX-License-Identifier: Apache-2.0
// InvisibleMutex: a std::mutex that ThreadSanitizer does not see, for the free-running
// backend's own bookkeeping (blocked-task registry, tear-down state, LockedObserver).
//
// Why: on real threads every harness lock that two model threads both take is a
// happens-before edge the kernel does not have, and TSan would then miss real races between
// those threads (model/sync/internal/tsan_hooks.h, rule 2). So the whole critical section,
// from Lock() to Unlock(), runs inside sync::internal::TsanIgnoreBegin/End: TSan neither
// records the accesses made under the lock (so they are not reported as racing either) nor
// the synchronization of the lock itself. Only harness code may run under it.
//
// Contract: a plain non-recursive mutex, annotated as a capability so that -Wthread-safety
// checks the fields it guards (libstdc++'s std::mutex is not annotated). Lock/Unlock must be
// called on the same thread (the TSan ignore region is per thread). Never hold it while
// blocking on anything but another InvisibleMutex or a try_lock. Cost: one std::mutex, plus
// four TSan runtime calls per critical section in the TSan build (none otherwise).
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>

#include "model/sync/annotations.h"
#include "model/sync/internal/tsan_hooks.h"

namespace hvfuzz::sched::internal {

class HV_CAPABILITY("mutex") InvisibleMutex {
 public:
  InvisibleMutex() = default;
  InvisibleMutex(const InvisibleMutex&) = delete;
  InvisibleMutex& operator=(const InvisibleMutex&) = delete;

  void Lock() HV_ACQUIRE() {
    // The ignore region opens before the lock is taken, so that TSan records no acquire.
    sync::internal::TsanIgnoreBegin();
    mu_.lock();
  }
  void Unlock() HV_RELEASE() {
    mu_.unlock();
    sync::internal::TsanIgnoreEnd();
  }

  // With the mutex held: sleeps on `cv` until notified, a spurious wakeup, or `timeout`;
  // returns with the mutex held again. The caller re-checks its condition.
  void WaitFor(std::condition_variable& cv, std::chrono::nanoseconds timeout) HV_REQUIRES(this) {
    std::unique_lock<std::mutex> lock(mu_, std::adopt_lock);
    cv.wait_for(lock, timeout);
    lock.release();
  }

 private:
  std::mutex mu_;
};

// Holds an InvisibleMutex for the enclosing scope.
class HV_SCOPED_CAPABILITY InvisibleLock {
 public:
  explicit InvisibleLock(InvisibleMutex& mu) HV_ACQUIRE(mu) : mu_(mu) { mu_.Lock(); }
  ~InvisibleLock() HV_RELEASE() { mu_.Unlock(); }
  InvisibleLock(const InvisibleLock&) = delete;
  InvisibleLock& operator=(const InvisibleLock&) = delete;

 private:
  InvisibleMutex& mu_;
};

}  // namespace hvfuzz::sched::internal
