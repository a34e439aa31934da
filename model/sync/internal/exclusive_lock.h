// SPDX-License-Identifier: Apache-2.0
// ExclusiveLock: the one implementation behind Mutex and SpinLock. The class kind decides
// whether acquiring sleeps (mutex: might_sleep) or spins (spinlock: the holder and the spinning
// waiter are in atomic context). Waiting is parking in both cases: a spinning CPU makes no
// progress either, so the scheduler treats it the same way.
#pragma once

#include "model/sync/lock_base.h"

namespace hvfuzz::sync::internal {

class ExclusiveLock : public LockBase {
 public:
  bool IsLocked() const;
  const Task* owner() const { return owner_; }
  void BlockersOf(const Task& waiter, std::vector<const Task*>& out) const override;
  void ForgetHoldOfKilledTask(const HeldLock& held) const override;

 protected:
  ExclusiveLock(const LockClass& cls, std::string label) : LockBase(cls, std::move(label)) {}

  // Returns false only for a killable acquisition interrupted by a fatal signal.
  bool Acquire(Site site, uint8_t subclass, const LockBase* nest_lock, bool killable,
               bool irq);
  bool TryAcquire(Site site, bool irq);
  void Release(Site site, bool irq);

 private:
  bool spinning() const { return IsSpinning(lock_class().kind()); }

  Task* owner_ = nullptr;
};

}  // namespace hvfuzz::sync::internal
