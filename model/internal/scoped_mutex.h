// SPDX-License-Identifier: Apache-2.0
// ScopedMutex: guard(mutex)(&m) for model code. Unlike sync::MutexGuard, its destructor
// tolerates the backend ending the run at the unlock's scheduling point (RequestStop after a
// finding makes that point throw sync::TaskKilled, which must not escape a destructor). The
// swallowed TaskKilled is harmless: the task is being unwound and its next sync call throws
// again. Internal to model/.
#pragma once

#include "model/sync/annotations.h"
#include "model/sync/mutex.h"
#include "model/sync/sync_runtime.h"

namespace hvfuzz::model::internal {

class HV_SCOPED_CAPABILITY ScopedMutex {
 public:
  explicit ScopedMutex(sync::Mutex& m, sync::Site site = sync::Site::Here()) HV_ACQUIRE(m)
      : m_(m), site_(site) {
    m_.Lock(site);
  }
  ~ScopedMutex() HV_RELEASE() {
    try {
      m_.Unlock(site_);
    } catch (const sync::TaskKilled&) {
    }
  }
  ScopedMutex(const ScopedMutex&) = delete;
  ScopedMutex& operator=(const ScopedMutex&) = delete;

 private:
  sync::Mutex& m_;
  sync::Site site_;
};

}  // namespace hvfuzz::model::internal
