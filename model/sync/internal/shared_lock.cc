// SPDX-License-Identifier: Apache-2.0
#include "model/sync/internal/shared_lock.h"

#include <algorithm>

#include "model/sync/internal/state_guard.h"

namespace hvfuzz::sync::internal {
namespace {
void EraseOne(std::vector<Task*>& v, const Task* t) {
  auto it = std::find(v.begin(), v.end(), t);
  if (it != v.end()) v.erase(it);
}
}  // namespace

void SharedLock::EnterAtomic(Task& t, bool irq) const {
  if (irq) t.LocalIrqDisable();
  if (spinning()) t.PreemptDisable();
}

void SharedLock::LeaveAtomic(Task& t, bool irq) const {
  if (spinning()) t.PreemptEnable();
  if (irq) t.LocalIrqEnable();
}

void SharedLock::AcquireRead(Site site, bool irq) {
  Task& t = CurrentTask();
  HeldLock h = MakeHeld(t, IrqReader(t) ? AcquireMode::kRecursiveRead : AcquireMode::kRead, site);
  AnnounceAcquire(t, h, /*sleeps=*/!spinning());
  EnterAtomic(t, irq);
  TsanPreLock(this, true, false);
  try {
    StateGuard g(t.runtime(), channel_);
    WaitUntil(t, &h, SharedLock::kWaitTokenRead, site, [&] { return CanRead(t); });
    readers_.push_back(&t);
  } catch (...) {
    TsanPostLock(this, true, true, true);
    LeaveAtomic(t, irq);
    throw;
  }
  TsanPostLock(this, true, false, false);
  CommitAcquire(t, h);
}

void SharedLock::AcquireWrite(Site site, uint8_t subclass, bool irq) {
  Task& t = CurrentTask();
  HeldLock h = MakeHeld(t, AcquireMode::kExclusive, site, subclass);
  AnnounceAcquire(t, h, /*sleeps=*/!spinning());
  EnterAtomic(t, irq);
  TsanPreLock(this, false, false);
  try {
    StateGuard g(t.runtime(), channel_);
    if (!CanWrite()) {
      // Registering as a waiting writer is what blocks new readers from here on.
      waiting_writers_.push_back(&t);
      try {
        WaitUntil(t, &h, SharedLock::kWaitTokenWrite, site, [&] { return CanWrite(); });
      } catch (...) {
        EraseOne(waiting_writers_, &t);
        t.runtime().Wake(channel_);  // readers held back by this writer may go now
        throw;
      }
      EraseOne(waiting_writers_, &t);
    }
    writer_ = &t;
  } catch (...) {
    TsanPostLock(this, false, true, true);
    LeaveAtomic(t, irq);
    throw;
  }
  TsanPostLock(this, false, false, false);
  CommitAcquire(t, h);
}

bool SharedLock::TryAcquireRead(Site site, bool irq) {
  Task& t = CurrentTask();
  if (t.unwinding()) throw TaskKilled{};
  t.runtime().SchedulingPoint(t, SchedulingPoint::kAcquire);
  if (t.unwinding()) throw TaskKilled{};
  TsanPreLock(this, true, true);
  bool acquired = false;
  {
    StateGuard g(t.runtime(), channel_);
    if (CanRead(t)) {
      readers_.push_back(&t);
      acquired = true;
    }
  }
  TsanPostLock(this, true, true, !acquired);
  if (!acquired) return false;
  EnterAtomic(t, irq);
  HeldLock h = MakeHeld(t, IrqReader(t) ? AcquireMode::kRecursiveRead : AcquireMode::kRead, site,
                        0, nullptr, /*trylock=*/true);
  t.observer().OnAcquire(t, h);
  CommitAcquire(t, h);
  return true;
}

bool SharedLock::TryAcquireWrite(Site site, bool irq) {
  Task& t = CurrentTask();
  if (t.unwinding()) throw TaskKilled{};
  t.runtime().SchedulingPoint(t, SchedulingPoint::kAcquire);
  if (t.unwinding()) throw TaskKilled{};
  TsanPreLock(this, false, true);
  bool acquired = false;
  {
    StateGuard g(t.runtime(), channel_);
    if (CanWrite()) {
      writer_ = &t;
      acquired = true;
    }
  }
  TsanPostLock(this, false, true, !acquired);
  if (!acquired) return false;
  EnterAtomic(t, irq);
  HeldLock h = MakeHeld(t, AcquireMode::kExclusive, site, 0, nullptr, /*trylock=*/true);
  t.observer().OnAcquire(t, h);
  CommitAcquire(t, h);
  return true;
}

void SharedLock::ForgetHoldOfKilledTask(const HeldLock& held) const {
  const bool read = held.mode != AcquireMode::kExclusive;
  TsanPreUnlock(this, read);
  TsanPostUnlock(this, read);
}

void SharedLock::Release(Site site, bool irq, bool read) {
  Task& t = CurrentTask();
  if (!CommitRelease(t, site)) return;
  TsanPreUnlock(this, read);
  {
    StateGuard g(t.runtime(), channel_);
    if (read) {
      EraseOne(readers_, &t);
    } else if (writer_ == &t) {
      writer_ = nullptr;
    }
    t.runtime().Wake(channel_);
  }
  TsanPostUnlock(this, read);
  LeaveAtomic(t, irq);
  ReleasePoint(t);
}

void SharedLock::ReleaseRead(Site site, bool irq) { Release(site, irq, /*read=*/true); }
void SharedLock::ReleaseWrite(Site site, bool irq) { Release(site, irq, /*read=*/false); }

void SharedLock::BlockersOf(const Task& waiter, std::vector<const Task*>& out) const {
  if (writer_ != nullptr) out.push_back(writer_);
  if (waiter.wait_token() == SharedLock::kWaitTokenWrite) {
    for (const Task* r : readers_) out.push_back(r);
  } else if (!IrqReader(waiter)) {
    // A reader queued behind waiting writers waits for them (and they for the readers).
    for (const Task* w : waiting_writers_) out.push_back(w);
  }
}

}  // namespace hvfuzz::sync::internal
