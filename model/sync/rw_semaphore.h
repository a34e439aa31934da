// SPDX-License-Identifier: Apache-2.0
// RwSemaphore: the kernel's struct rw_semaphore. Sleeping. DownRead() is a non-recursive
// reader (lockdep read=1): it waits while a writer holds the lock *or waits for it*, so
// reader-in-reader recursion deadlocks against a queued writer, as in the kernel.
#pragma once

#include "model/sync/annotations.h"
#include "model/sync/internal/shared_lock.h"

namespace hvfuzz::sync {

class HV_CAPABILITY("rw_semaphore") RwSemaphore : public internal::SharedLock {
 public:
  explicit RwSemaphore(const LockClass& cls, std::string label = {})
      : SharedLock(cls, std::move(label)) {}

  void DownRead(Site site = Site::Here()) HV_ACQUIRE_SHARED() { AcquireRead(site, false); }
  void UpRead(Site site = Site::Here()) HV_RELEASE_SHARED() { ReleaseRead(site, false); }
  void DownWrite(Site site = Site::Here()) HV_ACQUIRE() { AcquireWrite(site, 0, false); }
  void DownWriteNested(uint8_t subclass, Site site = Site::Here()) HV_ACQUIRE() {
    AcquireWrite(site, subclass, false);
  }
  void UpWrite(Site site = Site::Here()) HV_RELEASE() { ReleaseWrite(site, false); }
  bool DownReadTrylock(Site site = Site::Here()) HV_TRY_ACQUIRE_SHARED(true) {
    return TryAcquireRead(site, false);
  }
  bool DownWriteTrylock(Site site = Site::Here()) HV_TRY_ACQUIRE(true) {
    return TryAcquireWrite(site, false);
  }
};

}  // namespace hvfuzz::sync
