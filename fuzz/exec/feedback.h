// SPDX-License-Identifier: Apache-2.0
// LockOrderFeedback: turns what the lock-order validator sees into extra coverage features, so
// that a fuzzer counts a new lock order, a new (class, held set) context or a new cross-task
// hand-over of a lock class as new coverage even when no new code ran. Engine-independent: it
// writes 1s into a byte array the caller provides (a fuzz target points it at libFuzzer's
// __libfuzzer_extra_counters; tests at a plain buffer), or, for AFL++, into the engine's edge
// map through guards its runtime numbered (SetSlotMap).
//
// Features (each hashed into the array), by mode (HVFUZZ_FEEDBACK):
//   "1" (kLockOrder):
//     1. lock-order edge: (held class, held mode, acquired class, acquired mode), for every
//        held lock — the validator's dependency edges;
//     2. context: (acquired class, hash of the held class set) — the state lockdep's chain
//        cache keys on;
//     3. hand-over: (class, held set of the acquirer) when the task that last released the
//        class is not the one acquiring it.
//   "handover" (kHandover):
//     4. hand-over in calling context: (class, the releasing task's two innermost kernel
//        frames at the release, the acquiring task's two innermost frames at the acquisition),
//        for a cross-task hand-over. It tells "vCPU took slots_arch_lock after
//        kvm_swap_active_memslots <- kvm_invalidate_memslot dropped it" from the same hand-over
//        after kvm_activate_memslot: which window of another operation a task ran in, the
//        interleaving coverage of KRACE/Snowboard-style fuzzers, with no lock-order features.
//        Frame names are hashed by content, so a feature means the same in every process.
// Not thread-safe (controlled mode only). Cost: a few multiplications per event, no allocation
// after the first run.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "model/sync/held_lock.h"
#include "model/sync/sync_observer.h"

namespace hvfuzz::exec {

enum class FeedbackMode : uint8_t {
  kOff,        // "0": no features (the status line still counts lock-order edges)
  kLockOrder,  // "1": features 1-3
  kHandover,   // "handover": feature 4
};

class LockOrderFeedback final : public sync::SyncObserver {
 public:
  LockOrderFeedback() = default;
  // Where features are written; `size` must be a power of two. Null or kOff disables writing.
  void SetCounters(uint8_t* counters, size_t size, FeedbackMode mode = FeedbackMode::kLockOrder) {
    counters_ = mode == FeedbackMode::kOff ? nullptr : counters;
    mask_ = size ? size - 1 : 0;
    mode_ = mode;
  }
  // AFL++: feature h is reported as hit(&slots[h % size]), once per run, where `slots` is a
  // guard array AFL++'s runtime numbered (__sanitizer_cov_trace_pc_guard_init) and `hit` its
  // __sanitizer_cov_trace_pc_guard, which bumps the guard's byte in the edge map. Once per run,
  // because AFL++ buckets hit counts: a hand-over repeated more often is no new interleaving.
  using GuardHit = void (*)(uint32_t* guard);
  void SetSlotMap(GuardHit hit, uint32_t* slots, size_t size, FeedbackMode mode) {
    SetCounters(nullptr, size, mode);
    hit_ = mode == FeedbackMode::kOff ? nullptr : hit;
    slots_ = slots;
    slot_hit_.assign(hit_ ? size : 0, 0);
  }
  // Called at the start of each run (forgets who last held what).
  void ResetRun() {
    last_release_.assign(last_release_.size(), LastRelease{});
    for (uint32_t i : slots_hit_this_run_) slot_hit_[i] = 0;
    slots_hit_this_run_.clear();
  }
  // Distinct lock-order edges (feature 1) seen since construction, for the progress line.
  size_t edges_seen() const { return edges_seen_; }

  void OnAcquire(sync::Task& task, const sync::HeldLock& acquiring) override;
  void OnRelease(sync::Task& task, const sync::HeldLock& released, sync::Site site) override;
  void OnSync(sync::Task& task, const sync::HeldLock& sync) override { OnAcquire(task, sync); }

 private:
  struct LastRelease {
    int task = -1;
    sync::FrameSnapshot frames;  // the releaser's kernel frames at the release
  };
  bool writing() const { return counters_ != nullptr || hit_ != nullptr; }
  void Set(uint64_t hash) {
    const auto i = static_cast<uint32_t>(hash & mask_);
    if (counters_) counters_[i] = 1;
    if (hit_ && !slot_hit_[i]) {
      slot_hit_[i] = 1;
      slots_hit_this_run_.push_back(i);
      hit_(&slots_[i]);
    }
  }

  uint8_t* counters_ = nullptr;
  GuardHit hit_ = nullptr;
  uint32_t* slots_ = nullptr;
  std::vector<uint8_t> slot_hit_;             // slot-map mode: reported in this run
  std::vector<uint32_t> slots_hit_this_run_;  // what ResetRun clears
  size_t mask_ = 0;
  FeedbackMode mode_ = FeedbackMode::kLockOrder;
  std::vector<LastRelease> last_release_;  // indexed by class id
  std::vector<uint8_t> edge_seen_;         // bitmap over (class, class) pairs
  size_t edges_seen_ = 0;
};

}  // namespace hvfuzz::exec
