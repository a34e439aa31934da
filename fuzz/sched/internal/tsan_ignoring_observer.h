// SPDX-License-Identifier: Apache-2.0
// TsanIgnoringObserver: what the controlled scheduler installs on its tasks in TSan builds. It
// forwards every event to the real observer inside a TSan ignore region. Observers (the
// validator, the interleaving recorder) are harness code whose state every task touches, and
// tasks on fibers switch without synchronizing (fiber.h), so TSan would report the harness's
// own bookkeeping as races between model tasks. In other builds the scheduler installs the
// observer itself: this wrapper costs a virtual call per event.
#pragma once

#include "fuzz/sched/internal/controlled_slot.h"
#include "model/sync/sync_observer.h"

namespace hvfuzz::sched::internal {

class TsanIgnoringObserver final : public sync::SyncObserver {
 public:
  explicit TsanIgnoringObserver(sync::SyncObserver& inner) : inner_(inner) {}

  void OnAcquire(sync::Task& t, const sync::HeldLock& h) override {
    ScopedTsanIgnore ignore;
    inner_.OnAcquire(t, h);
  }
  void OnContended(sync::Task& t, const sync::HeldLock& h) override {
    ScopedTsanIgnore ignore;
    inner_.OnContended(t, h);
  }
  void OnAcquired(sync::Task& t, const sync::HeldLock& h) override {
    ScopedTsanIgnore ignore;
    inner_.OnAcquired(t, h);
  }
  void OnRelease(sync::Task& t, const sync::HeldLock& h, sync::Site s) override {
    ScopedTsanIgnore ignore;
    inner_.OnRelease(t, h, s);
  }
  void OnBadUnlock(sync::Task& t, const sync::LockBase& l, sync::Site s) override {
    ScopedTsanIgnore ignore;
    inner_.OnBadUnlock(t, l, s);
  }
  void OnSync(sync::Task& t, const sync::HeldLock& h) override {
    ScopedTsanIgnore ignore;
    inner_.OnSync(t, h);
  }
  void OnMightSleep(sync::Task& t, sync::Site s) override {
    ScopedTsanIgnore ignore;
    inner_.OnMightSleep(t, s);
  }
  void OnAssertHeld(sync::Task& t, const sync::LockBase& l, bool held, sync::Site s) override {
    ScopedTsanIgnore ignore;
    inner_.OnAssertHeld(t, l, held, s);
  }
  void OnReturnToUser(sync::Task& t, std::string_view op) override {
    ScopedTsanIgnore ignore;
    inner_.OnReturnToUser(t, op);
  }
  void OnInvariantViolation(sync::Task& t, std::string_view inv, std::string_view detail,
                            sync::Site s) override {
    ScopedTsanIgnore ignore;
    inner_.OnInvariantViolation(t, inv, detail, s);
  }

 private:
  sync::SyncObserver& inner_;
};

}  // namespace hvfuzz::sched::internal
