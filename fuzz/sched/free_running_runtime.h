// SPDX-License-Identifier: Apache-2.0
// FreeRunningRuntime: the free-running backend (DESIGN.md, "Executing a program"): one real
// std::thread per task, the primitives on real blocking (WaitChannel::mu / cv), and a
// wall-clock check::Watchdog that turns "nothing progressed while a task waits" into a
// kWatchdogHang finding with the wait-for graph and every task's held locks. It is the naive
// stress harness, kept as a second opinion and as the baseline the controlled scheduler beats.
//
// Refuses: no scheduling decisions and no replay: interleavings are the OS scheduler's, shaken
// by optional seeded yields at scheduling points (same seed, same yield decisions per task, not
// the same run). No deadlock is seen before `watchdog_timeout` of silence; no step budget
// (a livelock keeps ticking and runs until it ends or RequestStop()).
//
// Thread-safety: Spawn() and Run() belong to one owning thread; Spawn() only before Run(), and
// Run() at most once. RequestStop() is safe from any thread, including a model thread inside
// an observer callback. The SyncRuntime methods are the primitives' (model threads). The
// observer given to Run() is called concurrently from every model thread: wrap one that is not
// thread-safe in LockedObserver.
//
// TSan (HVFUZZ_TSAN): the primitives' state is under StateGuard (invisible to TSan); the
// runtime's own bookkeeping (blocked-task registry, tear-down state) is under InvisibleMutex,
// the progress and step counters are relaxed atomics, and the start gate only orders Run()'s
// thread before each task. So the happens-before edges between model threads are exactly the
// primitives' __tsan_mutex_* / release / acquire annotations, and TSan reports the model's races.
//
// Hang snapshot (taken on the watchdog thread; what it guarantees):
//   * under the registry lock, plus try_lock of the WaitChannel of every blocked task (retried
//     until all are held, or given up after ~1 s and read as they are). Then every blocked task
//     is frozen inside Wait(): it cannot re-take its channel, so it cannot leave, and its held
//     locks, its wait, and the state of the primitive it waits on (hence BlockersOf) are exact
//     and mutually consistent;
//   * finished tasks are exact (their threads no longer touch them);
//   * tasks that are neither are read without synchronization. With no event for the whole
//     timeout they are outside every primitive (entering one is an event), so their held locks
//     are stable in practice, but nothing stops them from changing during the read.
//
// Tear-down (hang, RequestStop(), or an exception escaping a task body): every task is marked
// unwinding under the registry lock, and the channel of every registered waiter is notified:
// at once, then by Run()'s thread once per millisecond until all threads have exited. A
// waiter throws sync::TaskKilled from Wait(), RAII guards release its locks silently, and the
// thread ends.
// Run() joins every thread before it returns: nothing is detached or leaked. The bound holds
// while tasks block only in primitives: a body stuck outside the model (an endless loop, a
// foreign lock) keeps Run() waiting for it.
//
// Cost: one OS thread per task, created and joined per Run() (two threads per run: ~15k
// runs/s plain, docs/toolchain.md §2b); a contended hand-off is a futex wake (~20 us there); a
// scheduling point is two relaxed atomic adds plus, with yields on, one PRNG draw.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "fuzz/check/finding.h"
#include "fuzz/check/wait_for_graph.h"
#include "fuzz/check/watchdog.h"
#include "fuzz/sched/internal/invisible_mutex.h"
#include "fuzz/sched/run_outcome.h"
#include "model/sync/sync_observer.h"
#include "model/sync/sync_runtime.h"
#include "model/sync/task.h"

namespace hvfuzz::sched {

struct FreeRunningOptions {
  // Silence (no scheduling point, no wait entry or exit) after which a blocked run is a hang.
  // Zero or negative: no watchdog (a deadlock then only ends through RequestStop()).
  std::chrono::milliseconds watchdog_timeout{1000};
  // Seeds each task's yield decisions (task i uses a stream derived from seed and i).
  uint64_t seed = 0;
  // Probability of std::this_thread::yield() at each scheduling point, in [0, 1].
  double yield_probability = 0.0;
};

class FreeRunningRuntime final : public sync::SyncRuntime {
 public:
  explicit FreeRunningRuntime(FreeRunningOptions options = {});
  // Tasks are destroyed here; Run() has joined their threads.
  ~FreeRunningRuntime() override;
  FreeRunningRuntime(const FreeRunningRuntime&) = delete;
  FreeRunningRuntime& operator=(const FreeRunningRuntime&) = delete;

  // Adds a task (id = number of tasks spawned before it) that will run `body` on its own
  // thread. Returns it; it lives as long as the runtime. Only before Run().
  sync::Task& Spawn(std::string name, std::function<void()> body);

  // Runs every task to its end on its own thread with `observer` as their observer, and joins
  // them. kCompleted: every body returned. kDeadlock: the watchdog fired; `finding` is the
  // kWatchdogHang finding (see the snapshot above). kStopped: RequestStop() was called first.
  // `steps` counts scheduling points. An exception other than TaskKilled escaping a body tears
  // the run down and is rethrown here after every thread has been joined.
  RunOutcome Run(sync::SyncObserver& observer);

  // Unwinds every task: blocked tasks are woken and throw TaskKilled, running ones throw at
  // their next acquisition or wait. Returns at once; Run() then returns kStopped unless the
  // watchdog fired first. Idempotent.
  void RequestStop();

  // All tasks, in id order.
  std::span<sync::Task* const> tasks() { return task_list_; }

  // SyncRuntime (called by the primitives on model threads).
  void SchedulingPoint(sync::Task& task, sync::SchedulingPoint point) override;
  void LockState(sync::WaitChannel& channel) override;
  void UnlockState(sync::WaitChannel& channel) override;
  void Wait(sync::Task& task, sync::WaitChannel& channel) override;
  void Wake(sync::WaitChannel& channel) override;

 private:
  struct TaskRecord;
  // Why the run is being torn down; the first reason wins.
  enum class StopReason : uint8_t { kNone, kStopRequested, kWatchdog, kTaskFailed };

  void ThreadMain(TaskRecord& record);
  void Progress();
  // Waits until every task thread has exited, waking blocked tasks while tearing down.
  void AwaitThreads();
  // free_running_teardown.cc:
  void Teardown(StopReason reason);
  void WakeBlockedTasks();
  bool AnyTaskBlocked();
  void OnWatchdogStall();
  check::Finding SnapshotHang();
  std::vector<check::TaskState> TaskStates() const;

  const FreeRunningOptions options_;
  std::vector<std::unique_ptr<TaskRecord>> records_;
  std::vector<sync::Task*> task_list_;
  // Observer of spawned tasks until Run() installs the real one.
  sync::SyncObserver no_observer_;
  bool ran_ = false;
  // Set by Run() before the threads start and reset after they are joined.
  std::unique_ptr<check::Watchdog> watchdog_;
  std::atomic<uint64_t> steps_{0};
  std::atomic<StopReason> stop_reason_{StopReason::kNone};
  // Written by the watchdog thread, read by Run() after joining it.
  std::optional<check::Finding> hang_;

  // Which channel each task is blocked on (by task id), for tear-down and the snapshot.
  // Lock order: a WaitChannel::mu, then registry_mu_; the reverse only through try_lock.
  internal::InvisibleMutex registry_mu_;
  std::vector<sync::WaitChannel*> blocked_on_ HV_GUARDED_BY(registry_mu_);
  int blocked_count_ HV_GUARDED_BY(registry_mu_) = 0;

  // Run()'s thread sleeps here until the tasks finish or a tear-down begins.
  internal::InvisibleMutex run_mu_;
  std::condition_variable run_cv_;
  size_t finished_count_ HV_GUARDED_BY(run_mu_) = 0;
  bool tearing_down_ HV_GUARDED_BY(run_mu_) = false;
  std::exception_ptr failure_ HV_GUARDED_BY(run_mu_);
};

}  // namespace hvfuzz::sched
