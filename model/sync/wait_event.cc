// SPDX-License-Identifier: Apache-2.0
#include "model/sync/wait_event.h"

#include "model/sync/internal/state_guard.h"

namespace hvfuzz::sync {

using internal::StateGuard;

void EventBase::SleepUntil(Site site, const std::function<bool()>& ready) {
  Task& t = CurrentTask();
  if (t.unwinding()) throw TaskKilled{};
  t.runtime().SchedulingPoint(t, SchedulingPoint::kWait);
  if (t.unwinding()) throw TaskKilled{};
  t.observer().OnMightSleep(t, site);
  {
    StateGuard g(t.runtime(), channel_);
    WaitUntil(t, nullptr, 0, site, ready);
  }
  internal::TsanAcquire(this);
}

void EventBase::WakeAfter(const std::function<void()>& update) {
  Task& t = CurrentTask();
  // The waker's work happens before the woken task continues.
  internal::TsanRelease(this);
  {
    StateGuard g(t.runtime(), channel_);
    update();
    t.runtime().Wake(channel_);
  }
  if (!t.unwinding()) t.runtime().SchedulingPoint(t, SchedulingPoint::kWake);
}

void Completion::Complete() {
  WakeAfter([this] { ++done_; });
}

void Completion::CompleteAll() {
  WakeAfter([this] { all_ = true; });
}

void Completion::WaitForCompletion(Site site) {
  SleepUntil(site, [this] {
    if (all_) return true;
    if (done_ == 0) return false;
    --done_;
    return true;
  });
}

void Completion::Reinit() {
  Task& t = CurrentTask();
  StateGuard g(t.runtime(), channel_);
  done_ = 0;
  all_ = false;
}

void RcuWait::PrepareToWait() {
  Task& t = CurrentTask();
  StateGuard g(t.runtime(), channel_);
  waiter_ = &t;
  woken_ = false;
}

void RcuWait::Schedule(Site site) {
  // The wakeup is consumed in the same serialized step that observes it, so a WakeUp()
  // arriving after this returns re-arms the next Schedule() instead of being lost.
  SleepUntil(site, [this] {
    if (!woken_) return false;
    woken_ = false;
    return true;
  });
}

void RcuWait::Finish() {
  Task& t = CurrentTask();
  StateGuard g(t.runtime(), channel_);
  waiter_ = nullptr;
  woken_ = false;
}

void RcuWait::WakeUp() {
  WakeAfter([this] {
    if (waiter_ != nullptr) woken_ = true;
  });
}

void MightSleep(Site site) {
  Task& t = CurrentTask();
  if (!t.unwinding()) t.observer().OnMightSleep(t, site);
}

void CondResched(Site site) {
  Task& t = CurrentTask();
  if (t.unwinding()) return;
  t.observer().OnMightSleep(t, site);
  t.runtime().SchedulingPoint(t, SchedulingPoint::kYield);
  if (t.unwinding()) throw TaskKilled{};
}

}  // namespace hvfuzz::sync
