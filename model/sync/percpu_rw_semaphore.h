// SPDX-License-Identifier: Apache-2.0
// PercpuRwSemaphore: the kernel's percpu_rw_semaphore, i.e. cpu_hotplug_lock. Readers
// (cpus_read_lock) are non-recursive reads that take the fast path until a writer
// (cpus_write_lock: CPU hotplug) calls DownWrite(); from then on new readers block until the
// writer is done, while the writer waits for the readers already inside. That pending-writer
// window is what turns "reader holds R, waits X; holder of X waits for R" into a deadlock.
#pragma once

#include "model/sync/annotations.h"
#include "model/sync/internal/shared_lock.h"

namespace hvfuzz::sync {

class HV_CAPABILITY("percpu_rw_semaphore") PercpuRwSemaphore : public internal::SharedLock {
 public:
  explicit PercpuRwSemaphore(const LockClass& cls, std::string label = {})
      : SharedLock(cls, std::move(label)) {}

  void DownRead(Site site = Site::Here()) HV_ACQUIRE_SHARED() { AcquireRead(site, false); }
  void UpRead(Site site = Site::Here()) HV_RELEASE_SHARED() { ReleaseRead(site, false); }
  void DownWrite(Site site = Site::Here()) HV_ACQUIRE() { AcquireWrite(site, 0, false); }
  void UpWrite(Site site = Site::Here()) HV_RELEASE() { ReleaseWrite(site, false); }
};

}  // namespace hvfuzz::sync
