// SPDX-License-Identifier: Apache-2.0
#include "fuzz/exec/feedback.h"

#include "model/sync/lock_base.h"
#include "model/sync/task.h"

namespace hvfuzz::exec {
namespace {
constexpr uint64_t kMul = 0x9E3779B97F4A7C15ull;
uint64_t Mix(uint64_t h, uint64_t v) { return (h ^ (v + 0x632BE59BD9B4E019ull)) * kMul; }

// The two innermost frames by name (FNV-1a over the characters, not the pointers: string
// literals move with ASLR, and a feature must mean the same in every fuzzing process).
uint64_t CallingContext(const sync::FrameSnapshot& frames) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (int i = 0; i < frames.depth && i < 2; ++i) {
    for (const char* c = frames.names[i]; c != nullptr && *c != '\0'; ++c) {
      h = (h ^ static_cast<unsigned char>(*c)) * 0x100000001b3ull;
    }
    h = (h ^ '<') * 0x100000001b3ull;  // frame boundary: "ab"+"c" differs from "a"+"bc"
  }
  return h;
}
}  // namespace

void LockOrderFeedback::OnAcquire(sync::Task& task, const sync::HeldLock& acquiring) {
  const uint32_t to = acquiring.lock_class().id();
  const uint32_t n = sync::LockClass::Count();
  if (last_release_.size() < n) last_release_.resize(n);
  if (edge_seen_.size() < static_cast<size_t>(n) * n) edge_seen_.resize(static_cast<size_t>(n) * n);

  const bool lock_order = mode_ == FeedbackMode::kLockOrder;
  uint64_t held_set = 0;
  for (const sync::HeldLock& h : task.held()) {
    const uint32_t from = h.lock_class().id();
    if (lock_order) {
      Set(Mix(Mix(Mix(Mix(1, from), static_cast<uint64_t>(h.mode)), to),
              static_cast<uint64_t>(acquiring.mode)));
    }
    uint8_t& seen = edge_seen_[static_cast<size_t>(from) * n + to];
    if (!seen) {
      seen = 1;
      ++edges_seen_;
    }
    // Order-insensitive: the held *set* is the context.
    held_set += Mix(7, from);
  }
  const LastRelease& last = last_release_[to];
  const bool handed_over = last.task >= 0 && last.task != task.id();
  if (lock_order) {
    Set(Mix(Mix(2, to), held_set));
    if (handed_over) Set(Mix(Mix(3, to), held_set));
  } else if (mode_ == FeedbackMode::kHandover && handed_over && writing()) {
    Set(Mix(Mix(Mix(4, to), CallingContext(last.frames)), CallingContext(acquiring.frames)));
  }
}

void LockOrderFeedback::OnRelease(sync::Task& task, const sync::HeldLock& released, sync::Site) {
  const uint32_t id = released.lock_class().id();
  if (last_release_.size() <= id) last_release_.resize(sync::LockClass::Count());
  LastRelease& last = last_release_[id];
  last.task = task.id();
  // Only feature 4 needs the releaser's frames; copying them costs a short loop per release.
  if (mode_ == FeedbackMode::kHandover && writing()) last.frames = task.Frames();
}

}  // namespace hvfuzz::exec
