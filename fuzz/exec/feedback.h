// SPDX-License-Identifier: Apache-2.0
// LockOrderFeedback: turns what the lock-order validator sees into extra coverage features, so
// that a fuzzer counts a new lock order, a new (class, held set) context or a new cross-task
// hand-over of a lock class as new coverage even when no new code ran. Engine-independent: it
// writes 1s into a byte array the caller provides (a fuzz target points it at libFuzzer's
// __libfuzzer_extra_counters; tests at a plain buffer).
//
// Features (each hashed into the array):
//   1. lock-order edge: (held class, held mode, acquired class, acquired mode), for every held
//      lock — the validator's dependency edges;
//   2. context: (acquired class, hash of the held class set) — the state lockdep's chain cache
//      keys on;
//   3. hand-over: (class, task that last released it != task acquiring it) seen as a pair of
//      classes the two tasks were in — interleaving coverage.
// Not thread-safe (controlled mode only). Cost: a few multiplications per event, no allocation.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "model/sync/sync_observer.h"

namespace hvfuzz::exec {

class LockOrderFeedback final : public sync::SyncObserver {
 public:
  LockOrderFeedback() = default;
  // Where features are written; `size` must be a power of two. Null disables the observer.
  void SetCounters(uint8_t* counters, size_t size) {
    counters_ = counters;
    mask_ = size ? size - 1 : 0;
  }
  // Called at the start of each run (forgets who last held what).
  void ResetRun() { last_release_.assign(last_release_.size(), LastRelease{}); }
  // Distinct lock-order edges (feature 1) seen since construction, for the progress line.
  size_t edges_seen() const { return edges_seen_; }

  void OnAcquire(sync::Task& task, const sync::HeldLock& acquiring) override;
  void OnRelease(sync::Task& task, const sync::HeldLock& released, sync::Site site) override;
  void OnSync(sync::Task& task, const sync::HeldLock& sync) override { OnAcquire(task, sync); }

 private:
  struct LastRelease {
    int task = -1;
  };
  void Set(uint64_t hash) {
    if (counters_) counters_[hash & mask_] = 1;
  }

  uint8_t* counters_ = nullptr;
  size_t mask_ = 0;
  std::vector<LastRelease> last_release_;  // indexed by class id
  std::vector<uint8_t> edge_seen_;         // bitmap over (class, class) pairs
  size_t edges_seen_ = 0;
};

}  // namespace hvfuzz::exec
