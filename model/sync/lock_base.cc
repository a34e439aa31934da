// SPDX-License-Identifier: Apache-2.0
#include "model/sync/lock_base.h"

#include "model/sync/internal/tsan_hooks.h"

namespace hvfuzz::sync {

LockBase::LockBase(const LockClass& cls, std::string label)
    : channel_(*this), class_(&cls), label_(std::move(label)) {}

LockBase::~LockBase() { internal::TsanDestroy(this); }

std::string LockBase::Describe() const {
  std::string s(class_->name());
  if (!label_.empty()) s += " (" + label_ + ")";
  return s;
}

bool LockBase::HeldByCurrent() const {
  Task* t = CurrentTaskOrNull();
  return t && t->held().Find(this) != nullptr;
}

bool LockBase::AssertHeld(Site site) const {
  Task& t = CurrentTask();
  bool held = t.held().Find(this) != nullptr;
  if (!t.unwinding()) t.observer().OnAssertHeld(t, *this, held, site);
  return held;
}

HeldLock LockBase::MakeHeld(Task& t, AcquireMode mode, Site site, uint8_t subclass,
                            const LockBase* nest_lock, bool trylock) const {
  HeldLock h;
  h.lock = this;
  h.mode = mode;
  h.subclass = subclass;
  h.trylock = trylock;
  h.nest_lock = nest_lock;
  h.site = site;
  h.frames = t.Frames();
  return h;
}

void LockBase::AnnounceAcquire(Task& t, const HeldLock& h, bool sleeps) const {
  if (t.unwinding()) throw TaskKilled{};
  t.runtime().SchedulingPoint(t, SchedulingPoint::kAcquire);
  // The run may have ended at that point (a finding elsewhere): do not take the lock.
  if (t.unwinding()) throw TaskKilled{};
  // might_sleep() comes first, as in mutex_lock(): the sleep check does not depend on
  // whether the lock happens to be free.
  if (sleeps) t.observer().OnMightSleep(t, h.site);
  t.observer().OnAcquire(t, h);
}

void LockBase::CommitAcquire(Task& t, const HeldLock& h) const {
  HeldLock held = h;
  held.step = t.step();
  t.held().Push(held);
  t.observer().OnAcquired(t, held);
}

bool LockBase::CommitRelease(Task& t, Site site, HeldLock* released) const {
  HeldLock r;
  if (!t.held().Remove(this, &r)) {
    if (!t.unwinding()) t.observer().OnBadUnlock(t, *this, site);
    return false;
  }
  if (released) *released = r;
  if (!t.unwinding()) t.observer().OnRelease(t, r, site);
  return true;
}

void LockBase::ReleasePoint(Task& t) const {
  if (!t.unwinding()) t.runtime().SchedulingPoint(t, SchedulingPoint::kRelease);
}

}  // namespace hvfuzz::sync
