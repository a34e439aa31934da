// SPDX-License-Identifier: Apache-2.0
// LockdepMap: a lockdep map with no lock behind it (struct lockdep_map), for states that are
// not locks but order like them: "inside an MMU-notifier invalidation"
// (__mmu_notifier_invalidate_range_start_map), "inside direct reclaim" (__fs_reclaim_map).
// Acquire() is lock_map_acquire (exclusive), AcquireRead() lock_map_acquire_read (recursive
// read). Never blocks, never sleeps, no scheduling point: only the validator sees it.
#pragma once

#include "model/sync/lock_base.h"

namespace hvfuzz::sync {

class LockdepMap : public LockBase {
 public:
  explicit LockdepMap(const LockClass& cls, std::string label = {})
      : LockBase(cls, std::move(label)) {}

  void Acquire(Site site = Site::Here()) { AcquireAs(sync::AcquireMode::kExclusive, site); }
  void AcquireRead(Site site = Site::Here()) { AcquireAs(sync::AcquireMode::kRecursiveRead, site); }
  void Release(Site site = Site::Here());
  // lock_map_acquire + lock_map_release: records the dependencies, holds nothing
  // (fs_reclaim_acquire does this to the notifier map).
  void AcquireRelease(Site site = Site::Here()) {
    Acquire(site);
    Release(site);
  }

  void BlockersOf(const Task&, std::vector<const Task*>&) const override {}

 private:
  void AcquireAs(sync::AcquireMode mode, Site site);
};

}  // namespace hvfuzz::sync
