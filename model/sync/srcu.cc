// SPDX-License-Identifier: Apache-2.0
#include "model/sync/srcu.h"

#include <algorithm>

#include "model/sync/internal/state_guard.h"

namespace hvfuzz::sync {

using internal::StateGuard;

int Srcu::ReadLock(Site site) {
  Task& t = CurrentTask();
  HeldLock h = MakeHeld(t, AcquireMode::kRecursiveRead, site);
  AnnounceAcquire(t, h, /*sleeps=*/false);
  uint32_t seq;
  {
    StateGuard g(t.runtime(), channel_);
    seq = next_seq_++;
    readers_.push_back(Reader{&t, seq});
  }
  CommitAcquire(t, h);
  return static_cast<int>(seq);
}

void Srcu::ReadUnlock(int idx, Site site) {
  Task& t = CurrentTask();
  if (!CommitRelease(t, site)) return;
  // Everything the reader did happens before the end of any grace period that waited for it.
  internal::TsanRelease(this);
  {
    StateGuard g(t.runtime(), channel_);
    auto it = std::find_if(readers_.begin(), readers_.end(), [&](const Reader& r) {
      return r.task == &t && r.seq == static_cast<uint32_t>(idx);
    });
    if (it != readers_.end()) readers_.erase(it);
    t.runtime().Wake(channel_);
  }
  ReleasePoint(t);
}

bool Srcu::OlderReaderActive(uint32_t target) const {
  return std::any_of(readers_.begin(), readers_.end(),
                     [&](const Reader& r) { return r.seq < target; });
}

void Srcu::Synchronize(Site site) {
  Task& t = CurrentTask();
  if (t.unwinding()) throw TaskKilled{};
  t.runtime().SchedulingPoint(t, SchedulingPoint::kWait);
  if (t.unwinding()) throw TaskKilled{};
  t.observer().OnMightSleep(t, site);
  t.observer().OnSync(t, MakeHeld(t, AcquireMode::kExclusive, site));
  {
    StateGuard g(t.runtime(), channel_);
    // The grace period covers exactly the readers that exist now.
    uint32_t target = next_seq_;
    WaitUntil(t, nullptr, target, site, [&] { return !OlderReaderActive(target); });
  }
  internal::TsanAcquire(this);
}

void Srcu::BlockersOf(const Task& waiter, std::vector<const Task*>& out) const {
  uint64_t target = waiter.wait_token();
  for (const Reader& r : readers_) {
    if (r.seq < target) out.push_back(r.task);
  }
}

}  // namespace hvfuzz::sync
