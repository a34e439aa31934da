// SPDX-License-Identifier: Apache-2.0
#include "fuzz/check/interleaving_recorder.h"

#include <algorithm>
#include <cstring>

#include "model/sync/lock_base.h"
#include "model/sync/task.h"

namespace hvfuzz::check {

InterleavingRecorder::InterleavingRecorder(int capacity, Concurrency concurrency)
    : concurrency_(concurrency), ring_(static_cast<size_t>(std::max(capacity, 1))) {}

std::unique_lock<std::mutex> InterleavingRecorder::MaybeLock() const {
  if (concurrency_ == Concurrency::kThreaded) return std::unique_lock<std::mutex>(mu_);
  return {};
}

InterleavingRecorder::Event& InterleavingRecorder::Append(const sync::Task& task, EventType type,
                                                          sync::Site site) {
  Event& e = ring_[next_ % ring_.size()];
  ++next_;
  e.step = task.step();
  e.lock_class = nullptr;
  e.site = site;
  e.task = task.id();
  e.type = type;
  e.mode = sync::AcquireMode::kExclusive;
  e.trylock = false;
  e.blocks = false;
  e.operation[0] = '\0';
  return e;
}

void InterleavingRecorder::AppendLock(const sync::Task& task, EventType type,
                                      const sync::HeldLock& h, sync::Site site) {
  auto lock = MaybeLock();
  if (frozen_) return;
  Event& e = Append(task, type, site);
  e.lock_class = &h.lock_class();
  e.mode = h.mode;
  e.trylock = h.trylock;
}

void InterleavingRecorder::OnAcquire(sync::Task& task, const sync::HeldLock& acquiring) {
  AppendLock(task, EventType::kAcquire, acquiring, acquiring.site);
}

void InterleavingRecorder::OnContended(sync::Task& task, const sync::HeldLock& acquiring) {
  auto lock = MaybeLock();
  if (frozen_) return;
  // The attempt is normally the newest event (no scheduling point between OnAcquire and
  // OnContended); with free-running threads others may have been recorded in between.
  const uint64_t oldest = next_ > ring_.size() ? next_ - ring_.size() : 0;
  for (uint64_t i = next_; i > oldest; --i) {
    Event& e = ring_[(i - 1) % ring_.size()];
    if (e.task == task.id() && e.type == EventType::kAcquire &&
        e.lock_class == &acquiring.lock_class()) {
      e.blocks = true;
      return;
    }
  }
}

void InterleavingRecorder::OnRelease(sync::Task& task, const sync::HeldLock& released,
                                     sync::Site site) {
  AppendLock(task, EventType::kRelease, released, site);
}

void InterleavingRecorder::OnSync(sync::Task& task, const sync::HeldLock& sync) {
  AppendLock(task, EventType::kSync, sync, sync.site);
}

void InterleavingRecorder::OnReturnToUser(sync::Task& task, std::string_view operation) {
  auto lock = MaybeLock();
  if (frozen_) return;
  Event& e = Append(task, EventType::kReturnToUser, sync::Site{});
  size_t n = std::min(operation.size(), static_cast<size_t>(kMaxOperationLength));
  std::memcpy(e.operation.data(), operation.data(), n);
  e.operation[n] = '\0';
}

InterleavingStep InterleavingRecorder::Format(const Event& e) {
  InterleavingStep s;
  s.step = e.step;
  s.task = e.task;
  s.site = FormatSite(e.site);
  s.blocks = e.blocks;
  if (e.type == EventType::kReturnToUser) {
    s.action = std::string("return to user: ") + e.operation.data();
    return s;
  }
  const sync::LockKind kind = e.lock_class->kind();
  std::string_view verb;
  switch (e.type) {
    case EventType::kAcquire:
      verb = AcquireVerb(kind, e.mode, e.trylock);
      break;
    case EventType::kRelease:
      verb = ReleaseVerb(kind, e.mode);
      break;
    default:
      verb = kind == sync::LockKind::kSrcu ? AcquireVerb(kind, e.mode) : "lock_sync";
      break;
  }
  s.action = std::string(verb) + "(" + std::string(e.lock_class->name()) + ")";
  return s;
}

std::vector<InterleavingStep> InterleavingRecorder::Steps() const {
  auto lock = MaybeLock();
  std::vector<InterleavingStep> steps;
  const uint64_t oldest = next_ > ring_.size() ? next_ - ring_.size() : 0;
  steps.reserve(next_ - oldest);
  for (uint64_t i = oldest; i < next_; ++i) steps.push_back(Format(ring_[i % ring_.size()]));
  return steps;
}

void InterleavingRecorder::Clear() {
  auto lock = MaybeLock();
  next_ = 0;
  frozen_ = false;
}

void InterleavingRecorder::Freeze() {
  auto lock = MaybeLock();
  frozen_ = true;
}

uint64_t InterleavingRecorder::recorded() const {
  auto lock = MaybeLock();
  return next_;
}

void AttachInterleaving(Finding& finding, std::vector<InterleavingStep> steps) {
  for (const TaskSnapshot& t : finding.tasks) {
    if (t.finished || !t.waiting_for || t.wait_action.empty()) continue;
    auto last = std::find_if(steps.rbegin(), steps.rend(),
                             [&](const InterleavingStep& s) { return s.task == t.task; });
    if (last != steps.rend() && last->action == t.wait_action) {
      last->blocks = true;
      continue;
    }
    InterleavingStep wait{t.step, t.task, t.wait_action, t.waiting_for->site, true};
    auto at = std::find_if(steps.begin(), steps.end(),
                           [&](const InterleavingStep& s) { return s.step > t.step; });
    steps.insert(at, std::move(wait));
  }
  finding.interleaving = std::move(steps);
}

}  // namespace hvfuzz::check
