// SPDX-License-Identifier: Apache-2.0
// InterleavingRecorder: the sync events of a run as a step list, for the "interleaving that
// deadlocks" section of a report (STYLE.md G10) — what lockdep cannot show.
//
// Contract: a SyncObserver; add it to the backend's ObserverList. It records lock attempts
// ("down_read(&kvm->slots_lock)", marked `blocks` once the attempt is contended), releases,
// syncs ("synchronize_srcu(&kvm->srcu)") and returns to user space ("return to user:
// KVM_RUN"), each with the task's scheduler step, its id and the model site. might_sleep,
// assert-held and invariant events are not steps. It keeps the newest `capacity` events in a
// ring allocated at construction.
// Cost: an event stores ids and pointers into a preallocated slot: no allocation, no string
// formatting; strings are built only by Steps(). Lock classes and site file names must outlive
// the recorder (both are static in the model).
// Thread-safety: Concurrency::kSerialized (controlled scheduler: events are already serialized)
// takes no lock; kThreaded (free-running backend) takes an internal mutex per event. Steps()
// and Clear() may be called from any thread in kThreaded mode, and only while no task runs in
// kSerialized mode.
#pragma once

#include <array>
#include <cstdint>
#include <mutex>
#include <string_view>
#include <vector>

#include "fuzz/check/finding.h"
#include "model/sync/lock_class.h"
#include "model/sync/sync_observer.h"

namespace hvfuzz::check {

class InterleavingRecorder final : public sync::SyncObserver {
 public:
  enum class Concurrency : uint8_t { kSerialized, kThreaded };
  static constexpr int kDefaultCapacity = 256;
  // Longer operation names of OnReturnToUser are truncated to this many bytes.
  static constexpr int kMaxOperationLength = 39;

  explicit InterleavingRecorder(int capacity = kDefaultCapacity,
                                Concurrency concurrency = Concurrency::kSerialized);
  InterleavingRecorder(const InterleavingRecorder&) = delete;
  InterleavingRecorder& operator=(const InterleavingRecorder&) = delete;

  // The recorded steps, oldest first (at most capacity()).
  std::vector<InterleavingStep> Steps() const;
  // Forgets every step (start of a new run) and records again. Keeps the ring's storage.
  void Clear();
  // Ignores every later event until Clear(): called when a finding is made, so that Steps()
  // ends there ("the interleaving that led here") although the run goes on to its next
  // scheduling point (or, free-running, until every thread sees the stop), and the events
  // before the finding are not pushed out of the ring by those after it.
  void Freeze();
  // Events recorded since construction or Clear(), including those the ring dropped.
  uint64_t recorded() const;
  int capacity() const { return static_cast<int>(ring_.size()); }

  void OnAcquire(sync::Task& task, const sync::HeldLock& acquiring) override;
  void OnContended(sync::Task& task, const sync::HeldLock& acquiring) override;
  void OnRelease(sync::Task& task, const sync::HeldLock& released, sync::Site site) override;
  void OnSync(sync::Task& task, const sync::HeldLock& sync) override;
  void OnReturnToUser(sync::Task& task, std::string_view operation) override;

 private:
  enum class EventType : uint8_t { kAcquire, kRelease, kSync, kReturnToUser };
  struct Event {
    uint64_t step = 0;
    const sync::LockClass* lock_class = nullptr;  // null for kReturnToUser
    sync::Site site;
    int task = -1;
    EventType type = EventType::kAcquire;
    sync::AcquireMode mode = sync::AcquireMode::kExclusive;
    bool trylock = false;
    bool blocks = false;
    std::array<char, kMaxOperationLength + 1> operation{};  // kReturnToUser, NUL-terminated
  };

  std::unique_lock<std::mutex> MaybeLock() const;
  // Claims the next slot (overwriting the oldest when full) and fills the common fields.
  Event& Append(const sync::Task& task, EventType type, sync::Site site);
  void AppendLock(const sync::Task& task, EventType type, const sync::HeldLock& h, sync::Site site);
  static InterleavingStep Format(const Event& e);

  const Concurrency concurrency_;
  mutable std::mutex mu_;  // only taken in kThreaded mode
  std::vector<Event> ring_;
  uint64_t next_ = 0;  // events recorded; slot of event i is i % capacity
  bool frozen_ = false;
};

// Moves `steps` into `finding.interleaving`, then marks the wait of every blocked task in
// `finding.tasks`: the task's last step gets `blocks` when it is that wait (same action), else
// the wait (which the recorder cannot see, e.g. wait_for_completion) is inserted as a blocking
// step at the task's step. Call after BuildDeadlockFinding / BuildStepBudgetFinding.
void AttachInterleaving(Finding& finding, std::vector<InterleavingStep> steps);

}  // namespace hvfuzz::check
