// SPDX-License-Identifier: Apache-2.0
#include "model/sync/internal/exclusive_lock.h"

#include "model/sync/internal/state_guard.h"

namespace hvfuzz::sync::internal {

bool ExclusiveLock::Acquire(Site site, uint8_t subclass, const LockBase* nest_lock,
                            bool killable, bool irq) {
  Task& t = CurrentTask();
  HeldLock h = MakeHeld(t, AcquireMode::kExclusive, site, subclass, nest_lock);
  AnnounceAcquire(t, h, /*sleeps=*/!spinning());
  // spin_lock() disables preemption before it spins: the waiter is already atomic.
  if (irq) t.LocalIrqDisable();
  if (spinning()) t.PreemptDisable();
  TsanPreLock(this, false, false);
  bool acquired = false;
  try {
    StateGuard g(t.runtime(), channel_);
    // A fatal signal only interrupts a wait: an uncontended lock is taken regardless.
    WaitUntil(t, &h, 0, site,
              [&] { return owner_ == nullptr || (killable && t.fatal_signal_pending()); });
    if (owner_ == nullptr) {
      owner_ = &t;
      acquired = true;
    }
  } catch (...) {
    TsanPostLock(this, false, true, true);
    if (spinning()) t.PreemptEnable();
    if (irq) t.LocalIrqEnable();
    throw;
  }
  if (!acquired) {
    TsanPostLock(this, false, true, true);  // like a failed trylock
    if (spinning()) t.PreemptEnable();
    if (irq) t.LocalIrqEnable();
    return false;
  }
  TsanPostLock(this, false, false, false);
  CommitAcquire(t, h);
  return true;
}

bool ExclusiveLock::TryAcquire(Site site, bool irq) {
  Task& t = CurrentTask();
  if (t.unwinding()) throw TaskKilled{};
  t.runtime().SchedulingPoint(t, SchedulingPoint::kAcquire);
  if (t.unwinding()) throw TaskKilled{};
  TsanPreLock(this, false, true);
  bool acquired = false;
  {
    StateGuard g(t.runtime(), channel_);
    if (owner_ == nullptr) {
      owner_ = &t;
      acquired = true;
    }
  }
  TsanPostLock(this, false, true, !acquired);
  if (!acquired) return false;
  if (irq) t.LocalIrqDisable();
  if (spinning()) t.PreemptDisable();
  HeldLock h = MakeHeld(t, AcquireMode::kExclusive, site, 0, nullptr, /*trylock=*/true);
  t.observer().OnAcquire(t, h);
  CommitAcquire(t, h);
  return true;
}

void ExclusiveLock::ForgetHoldOfKilledTask(const HeldLock&) const {
  TsanPreUnlock(this, false);
  TsanPostUnlock(this, false);
}

void ExclusiveLock::Release(Site site, bool irq) {
  Task& t = CurrentTask();
  if (!CommitRelease(t, site)) return;
  TsanPreUnlock(this, false);
  {
    StateGuard g(t.runtime(), channel_);
    owner_ = nullptr;
    t.runtime().Wake(channel_);
  }
  TsanPostUnlock(this, false);
  if (spinning()) t.PreemptEnable();
  if (irq) t.LocalIrqEnable();
  ReleasePoint(t);
}

bool ExclusiveLock::IsLocked() const {
  Task* t = CurrentTaskOrNull();
  if (t == nullptr) return owner_ != nullptr;
  StateGuard g(t->runtime(), channel_);
  return owner_ != nullptr;
}

void ExclusiveLock::BlockersOf(const Task& waiter, std::vector<const Task*>& out) const {
  // The owner may be the waiter itself: a self-deadlock is a cycle of length one.
  if (owner_ != nullptr) out.push_back(owner_);
}

}  // namespace hvfuzz::sync::internal
