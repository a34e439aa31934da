// SPDX-License-Identifier: Apache-2.0
// Task: one model thread (the kernel's task_struct, as far as locking cares). It carries what
// lockdep keeps per task (held locks, preempt/irq context, the current kernel frames) and what
// a backend needs to park and report it (what it is waiting on).
//
// Contract: a Task is created by a backend (controlled scheduler or free-running threads) and
// runs on exactly one fiber or OS thread; only that thread mutates it, except the wait fields,
// which the backend and its watchdog may read from elsewhere (relaxed atomics). CurrentTask()
// returns the task running on the calling fiber/thread; calling a primitive with no current task
// is a harness bug (aborts with "hvfuzz: internal error").
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

#include "model/sync/held_lock.h"

namespace hvfuzz::sync {

class SyncRuntime;
class SyncObserver;
class Waitable;

class Task {
 public:
  Task(int id, std::string name, SyncRuntime& runtime, SyncObserver& observer);
  Task(const Task&) = delete;
  Task& operator=(const Task&) = delete;

  int id() const { return id_; }
  const std::string& name() const { return name_; }
  SyncRuntime& runtime() const { return *runtime_; }
  SyncObserver& observer() const { return *observer_; }
  void set_observer(SyncObserver& observer) { observer_ = &observer; }

  HeldLockStack& held() { return held_; }
  const HeldLockStack& held() const { return held_; }

  // Atomic context, as the kernel's preempt_count sees it: spinning locks held, IRQs disabled,
  // or running as an interrupt handler. Sleeping here is a bug (might_sleep).
  bool InAtomic() const { return preempt_count_ > 0 || irqs_disabled_ > 0 || in_interrupt_; }
  void PreemptDisable() { ++preempt_count_; }
  void PreemptEnable() { --preempt_count_; }
  void LocalIrqDisable() { ++irqs_disabled_; }
  void LocalIrqEnable() { --irqs_disabled_; }
  bool in_interrupt() const { return in_interrupt_; }
  // Marks the task as an interrupt/softirq handler (irqfd wakeup, Xen timer): rwlock readers
  // become recursive (lockdep's read_lock_is_recursive()).
  void set_in_interrupt(bool v) { in_interrupt_ = v; }

  // Fault injection: a pending fatal signal makes *_killable waits fail with -EINTR.
  bool fatal_signal_pending() const { return fatal_signal_pending_; }
  void set_fatal_signal_pending(bool v) { fatal_signal_pending_ = v; }
  // Per-call fault injection, as task_struct::fail_nth (/proc/<pid>/task/<tid>/fail-nth):
  // 0 = off; otherwise each fallible step of this task counts it down and the step that
  // brings it to 0 fails. Set around one operation by model::Execute.
  uint32_t fail_nth() const { return fail_nth_; }
  void set_fail_nth(uint32_t n) { fail_nth_ = n; }

  // Upstream function names, maintained by KernelFrame (innermost last).
  void PushFrame(const char* name);
  void PopFrame();
  FrameSnapshot Frames() const;
  const char* OutermostFrame() const { return frame_depth_ ? frames_[0] : nullptr; }

  // --- What the task is blocked on; written by primitives, read by backends/watchdogs. ---
  const Waitable* waiting_on() const { return waiting_on_.load(std::memory_order_relaxed); }
  uint64_t wait_token() const { return wait_token_.load(std::memory_order_relaxed); }
  Site wait_site() const { return wait_site_; }
  void BeginWait(const Waitable* what, uint64_t token, Site site);
  void EndWait() { waiting_on_.store(nullptr, std::memory_order_relaxed); }

  // Set by the backend when it unwinds the task after a finding: primitives then release
  // state silently (no scheduling points, no events), so RAII guards can unwind.
  bool unwinding() const { return unwinding_.load(std::memory_order_relaxed); }
  void set_unwinding(bool v) { unwinding_.store(v, std::memory_order_relaxed); }

  // Scheduler step after which this task's events happen: its latest scheduling point, or the
  // later step at which the scheduler resumed it (0 in free-running mode). Never decreases.
  uint64_t step() const { return step_.load(std::memory_order_relaxed); }
  void set_step(uint64_t s) { step_.store(s, std::memory_order_relaxed); }

  // Opaque per-task storage for the backend (its fiber record, its condition variable).
  void* backend_data() const { return backend_data_; }
  void set_backend_data(void* p) { backend_data_ = p; }

 private:
  static constexpr int kMaxFrames = 32;

  int id_;
  std::string name_;
  SyncRuntime* runtime_;
  SyncObserver* observer_;
  HeldLockStack held_;
  int preempt_count_ = 0;
  int irqs_disabled_ = 0;
  bool in_interrupt_ = false;
  bool fatal_signal_pending_ = false;
  uint32_t fail_nth_ = 0;
  const char* frames_[kMaxFrames] = {};
  int frame_depth_ = 0;
  std::atomic<const Waitable*> waiting_on_{nullptr};
  std::atomic<uint64_t> wait_token_{0};
  Site wait_site_;
  std::atomic<bool> unwinding_{false};
  std::atomic<uint64_t> step_{0};
  void* backend_data_ = nullptr;
};

// The task running on the calling fiber or thread; aborts when there is none.
Task& CurrentTask();
// The same, or nullptr.
Task* CurrentTaskOrNull();
// Backends only: installs `task` as current for the calling fiber/thread (nullptr clears).
void SetCurrentTask(Task* task);

// RAII record of the upstream function a model function stands for, so that reports show
// kernel names (kvm_gpc_refresh <- kvm_xen_set_evtchn). Use through HV_KERNEL_FUNCTION.
class KernelFrame {
 public:
  explicit KernelFrame(const char* upstream_name) : task_(CurrentTaskOrNull()) {
    if (task_) task_->PushFrame(upstream_name);
  }
  ~KernelFrame() {
    if (task_) task_->PopFrame();
  }
  KernelFrame(const KernelFrame&) = delete;
  KernelFrame& operator=(const KernelFrame&) = delete;

 private:
  Task* task_;
};

#define HV_KERNEL_CONCAT_(a, b) a##b
#define HV_KERNEL_CONCAT(a, b) HV_KERNEL_CONCAT_(a, b)
// Names the upstream function the enclosing model function stands for.
#define HV_KERNEL_FUNCTION(name) \
  ::hvfuzz::sync::KernelFrame HV_KERNEL_CONCAT(hv_kernel_frame_, __LINE__)(name)

}  // namespace hvfuzz::sync
