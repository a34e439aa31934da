// SPDX-License-Identifier: Apache-2.0
#include "model/sync/task.h"

#include <cstdio>
#include <cstdlib>

namespace hvfuzz::sync {
namespace {
// One slot per OS thread. Under controlled scheduling all fibers share the slot and the
// scheduler rewrites it on every switch; relaxed atomics keep TSan (whose fibers do not
// synchronize on switches) from reporting the scheduler's own bookkeeping as a race.
thread_local std::atomic<Task*> t_current_task{nullptr};
}  // namespace

Task::Task(int id, std::string name, SyncRuntime& runtime, SyncObserver& observer)
    : id_(id), name_(std::move(name)), runtime_(&runtime), observer_(&observer) {}

void Task::PushFrame(const char* name) {
  // Frames past the capacity are counted but not stored, so pops stay balanced.
  if (frame_depth_ < kMaxFrames) frames_[frame_depth_] = name;
  ++frame_depth_;
}

void Task::PopFrame() {
  if (frame_depth_ > 0) --frame_depth_;
}

FrameSnapshot Task::Frames() const {
  FrameSnapshot snap;
  int top = frame_depth_ < kMaxFrames ? frame_depth_ : kMaxFrames;
  for (int i = top - 1; i >= 0 && snap.depth < FrameSnapshot::kMaxFrames; --i) {
    snap.names[snap.depth++] = frames_[i];
  }
  return snap;
}

void Task::BeginWait(const Waitable* what, uint64_t token, Site site) {
  wait_token_.store(token, std::memory_order_relaxed);
  wait_site_ = site;
  waiting_on_.store(what, std::memory_order_relaxed);
}

Task* CurrentTaskOrNull() { return t_current_task.load(std::memory_order_relaxed); }

Task& CurrentTask() {
  Task* t = CurrentTaskOrNull();
  if (t == nullptr) {
    std::fprintf(stderr,
                 "hvfuzz: internal error: a sync primitive was called outside a model task\n");
    std::abort();
  }
  return *t;
}

void SetCurrentTask(Task* task) { t_current_task.store(task, std::memory_order_relaxed); }

}  // namespace hvfuzz::sync
