// SPDX-License-Identifier: Apache-2.0
#include "model/sync/lockdep_map.h"

namespace hvfuzz::sync {

void LockdepMap::AcquireAs(sync::AcquireMode mode, Site site) {
  Task& t = CurrentTask();
  if (t.unwinding()) throw TaskKilled{};
  HeldLock h = MakeHeld(t, mode, site);
  t.observer().OnAcquire(t, h);
  CommitAcquire(t, h);
}

void LockdepMap::Release(Site site) { CommitRelease(CurrentTask(), site); }

}  // namespace hvfuzz::sync
