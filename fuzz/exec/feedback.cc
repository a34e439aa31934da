// SPDX-License-Identifier: Apache-2.0
#include "fuzz/exec/feedback.h"

#include "model/sync/lock_base.h"
#include "model/sync/task.h"

namespace hvfuzz::exec {
namespace {
constexpr uint64_t kMul = 0x9E3779B97F4A7C15ull;
uint64_t Mix(uint64_t h, uint64_t v) { return (h ^ (v + 0x632BE59BD9B4E019ull)) * kMul; }
}  // namespace

void LockOrderFeedback::OnAcquire(sync::Task& task, const sync::HeldLock& acquiring) {
  const uint32_t to = acquiring.lock_class().id();
  const uint32_t n = sync::LockClass::Count();
  if (last_release_.size() < n) last_release_.resize(n);
  if (edge_seen_.size() < static_cast<size_t>(n) * n) edge_seen_.resize(static_cast<size_t>(n) * n);

  uint64_t held_set = 0;
  for (const sync::HeldLock& h : task.held()) {
    const uint32_t from = h.lock_class().id();
    Set(Mix(Mix(Mix(Mix(1, from), static_cast<uint64_t>(h.mode)), to),
            static_cast<uint64_t>(acquiring.mode)));
    uint8_t& seen = edge_seen_[static_cast<size_t>(from) * n + to];
    if (!seen) {
      seen = 1;
      ++edges_seen_;
    }
    // Order-insensitive: the held *set* is the context.
    held_set += Mix(7, from);
  }
  Set(Mix(Mix(2, to), held_set));

  const LastRelease& last = last_release_[to];
  if (last.task >= 0 && last.task != task.id()) {
    Set(Mix(Mix(3, to), held_set));
  }
}

void LockOrderFeedback::OnRelease(sync::Task& task, const sync::HeldLock& released, sync::Site) {
  const uint32_t id = released.lock_class().id();
  if (last_release_.size() <= id) last_release_.resize(sync::LockClass::Count());
  last_release_[id].task = task.id();
}

}  // namespace hvfuzz::exec
