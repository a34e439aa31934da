// SPDX-License-Identifier: Apache-2.0
// FreeRunningRuntime, ending a run: the watchdog's hang snapshot, and the tear-down that wakes
// every blocked task so that it unwinds with TaskKilled.
//
// Tear-down protocol (pairs with FreeRunningRuntime::Wait and AwaitThreads):
//   1. Teardown(): under the registry lock, mark every task unwinding; wake (2) once; then
//      flag Run()'s thread.
//   2. Wake pass, repeated by Run()'s thread every millisecond until all task threads have
//      exited: under the registry lock, notify_all the channel of every registered waiter.
//   3. A waiter wakes, sees `unwinding`, throws TaskKilled; a task about to wait sees the mark
//      (checked under the registry lock) and throws without sleeping.
// Notifying under the registry lock keeps each channel alive: its waiter cannot leave Wait()
// (it must unregister first), and a lock outlives the tasks that wait on it.
#include <algorithm>
#include <chrono>
#include <optional>
#include <thread>

#include "fuzz/sched/free_running_runtime.h"

namespace hvfuzz::sched {
namespace {

// How long the snapshot waits for the channels of blocked tasks before reading without them.
constexpr int kSnapshotAttempts = 1000;
constexpr std::chrono::milliseconds kSnapshotRetry{1};

}  // namespace

void FreeRunningRuntime::RequestStop() { Teardown(StopReason::kStopRequested); }

void FreeRunningRuntime::Teardown(StopReason reason) {
  StopReason none = StopReason::kNone;
  // Release, paired with the acquire in Run(): a RequestStop() from a thread Run() never joins
  // is still seen once the tasks it unwound are joined.
  stop_reason_.compare_exchange_strong(none, reason, std::memory_order_release,
                                       std::memory_order_relaxed);
  {
    internal::InvisibleLock l(registry_mu_);
    // Under the registry lock: Wait() checks the mark in the same critical section in which
    // it registers, so no task can slip into a wait unseen by the wake-up passes.
    for (sync::Task* task : task_list_) task->set_unwinding(true);
  }
  // A first pass at once; Run()'s thread repeats it until every task thread has exited.
  WakeBlockedTasks();
  {
    internal::InvisibleLock l(run_mu_);
    tearing_down_ = true;
  }
  run_cv_.notify_all();
}

void FreeRunningRuntime::WakeBlockedTasks() {
  internal::InvisibleLock l(registry_mu_);
  // notify_all without the channel's mutex: legal, and a waiter that has registered but not
  // yet slept (it holds channel.mu until it does) is reached by the next pass instead.
  for (sync::WaitChannel* channel : blocked_on_) {
    if (channel != nullptr) channel->cv.notify_all();
  }
}

bool FreeRunningRuntime::AnyTaskBlocked() {
  if (stop_reason_.load(std::memory_order_relaxed) != StopReason::kNone) return false;
  internal::InvisibleLock l(registry_mu_);
  return blocked_count_ > 0;
}

void FreeRunningRuntime::OnWatchdogStall() {
  check::Finding finding = SnapshotHang();
  finding.replay.seed = options_.seed;
  finding.replay.strategy = "free-running";
  hang_ = std::move(finding);
  Teardown(StopReason::kWatchdog);
}

check::Finding FreeRunningRuntime::SnapshotHang() {
  for (int attempt = 1;; ++attempt) {
    {
      internal::InvisibleLock l(registry_mu_);
      std::vector<sync::WaitChannel*> channels;
      for (sync::WaitChannel* c : blocked_on_) {
        if (c != nullptr && std::find(channels.begin(), channels.end(), c) == channels.end()) {
          channels.push_back(c);
        }
      }
      // try_lock only: the usual order is channel.mu, then the registry lock (Wait()), so a
      // blocking lock here could deadlock against a task that is registering.
      size_t held = 0;
      while (held < channels.size() && channels[held]->mu.try_lock()) ++held;
      bool frozen = held == channels.size();
      std::optional<check::Finding> finding;
      if (frozen || attempt >= kSnapshotAttempts) {
        // Frozen: no blocked task can leave Wait() (it cannot re-take its channel), and no
        // one can change the primitives they wait on. See the header for the other tasks.
        std::vector<check::TaskState> states = TaskStates();
        finding = check::BuildDeadlockFinding(states, /*watchdog=*/true);
      }
      for (size_t i = 0; i < held; ++i) channels[i]->mu.unlock();
      if (finding) return std::move(*finding);
    }
    // A channel is held by a task inside a primitive: it lets go within microseconds, or
    // sleeps on it (which releases it). Retry without the registry lock, which it may need.
    std::this_thread::sleep_for(kSnapshotRetry);
  }
}

}  // namespace hvfuzz::sched
