// SPDX-License-Identifier: Apache-2.0
// Srcu: the kernel's srcu_struct (kvm->srcu, kvm->irq_srcu). ReadLock() never blocks and is a
// recursive read of the SRCU class (lockdep: srcu_read_lock = lock_map_acquire_read);
// Synchronize() sleeps until every reader that started *before* it has left, and is a
// lock_sync() of the class: a write acquisition released at once, never held (Boqun Feng's
// 2023 annotation, docs/kvm-locking.md E.2). Readers that start during a grace period do not
// extend it. SynchronizeExpedited() has the same locking semantics.
#pragma once

#include <cstdint>
#include <vector>

#include "model/sync/lock_base.h"

namespace hvfuzz::sync {

class Srcu : public LockBase {
 public:
  explicit Srcu(const LockClass& cls, std::string label = {}) : LockBase(cls, std::move(label)) {}

  // srcu_read_lock(): returns the index to pass to ReadUnlock.
  int ReadLock(Site site = Site::Here());
  void ReadUnlock(int idx, Site site = Site::Here());
  // synchronize_srcu() / synchronize_srcu_expedited().
  void Synchronize(Site site = Site::Here());
  void SynchronizeExpedited(Site site = Site::Here()) { Synchronize(site); }

  int readers() const { return static_cast<int>(readers_.size()); }
  void BlockersOf(const Task& waiter, std::vector<const Task*>& out) const override;

 private:
  struct Reader {
    Task* task;
    uint32_t seq;
  };
  bool OlderReaderActive(uint32_t target) const;

  std::vector<Reader> readers_;
  uint32_t next_seq_ = 1;
};

}  // namespace hvfuzz::sync
