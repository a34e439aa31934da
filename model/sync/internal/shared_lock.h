// SPDX-License-Identifier: Apache-2.0
// SharedLock: the one reader/writer implementation behind RwSemaphore, RwLock and
// PercpuRwSemaphore. All three are writer-preferring: once a writer waits, new readers queue
// behind it (kernel rwsem handoff; queued rwlock; percpu_down_write's "block new readers").
// The only exception is lockdep's: a queued-rwlock reader in interrupt context does not wait
// for a waiting writer, only for a writer that holds the lock, and is a recursive read.
// The class kind decides sleeping (rwsem, percpu) vs spinning (rwlock).
#pragma once

#include <vector>

#include "model/sync/lock_base.h"

namespace hvfuzz::sync::internal {

class SharedLock : public LockBase {
 public:
  // Task::wait_token() of a task parked on a SharedLock: what it asked for.
  static constexpr uint64_t kWaitTokenRead = 0;
  static constexpr uint64_t kWaitTokenWrite = 1;

  void BlockersOf(const Task& waiter, std::vector<const Task*>& out) const override;
  void ForgetHoldOfKilledTask(const HeldLock& held) const override;
  int readers() const { return static_cast<int>(readers_.size()); }
  const Task* writer() const { return writer_; }

 protected:
  SharedLock(const LockClass& cls, std::string label) : LockBase(cls, std::move(label)) {}

  void AcquireRead(Site site, bool irq);
  void AcquireWrite(Site site, uint8_t subclass, bool irq);
  bool TryAcquireRead(Site site, bool irq);
  bool TryAcquireWrite(Site site, bool irq);
  void ReleaseRead(Site site, bool irq);
  void ReleaseWrite(Site site, bool irq);

 private:
  bool spinning() const { return IsSpinning(lock_class().kind()); }
  // A reader in interrupt context on a queued rwlock: recursive, ignores waiting writers.
  bool IrqReader(const Task& t) const {
    return lock_class().kind() == LockKind::kRwLock && t.in_interrupt();
  }
  bool CanRead(const Task& t) const {
    return writer_ == nullptr && (waiting_writers_.empty() || IrqReader(t));
  }
  bool CanWrite() const { return writer_ == nullptr && readers_.empty(); }
  void EnterAtomic(Task& t, bool irq) const;
  void LeaveAtomic(Task& t, bool irq) const;
  void Release(Site site, bool irq, bool read);

  Task* writer_ = nullptr;
  std::vector<Task*> readers_;          // one entry per read hold
  std::vector<Task*> waiting_writers_;  // writers parked on the lock
};

}  // namespace hvfuzz::sync::internal
