// SPDX-License-Identifier: Apache-2.0
// Watchdog: the wall-clock hang detector of the free-running backend (DESIGN.md, Detectors:
// "actual deadlock: ... watchdog (free mode)"). The watched code calls Tick() on every event
// (for the backend: every scheduling point, wait entry and wait exit). A monitor thread
// samples the counter; once it has not moved for `timeout` and `stalled()` confirms that the
// silence is a hang (for the backend: some task is blocked), the watchdog calls `on_stall()`
// exactly once, on the monitor thread, and stops watching.
//
// Refuses: it knows nothing of tasks. What counts as stalled, the snapshot of the stalled
// state, the Finding (check::BuildDeadlockFinding with watchdog=true) and the tear-down are the
// backend's, passed in as the two callbacks; see FreeRunningRuntime for the snapshot's
// consistency. Work that runs longer than `timeout` without any event while another task
// waits for it is indistinguishable from a hang and is reported as one: pick the timeout above
// the longest event-free stretch of the model.
//
// Thread-safety: Tick() from any thread; it is one relaxed atomic add, so it creates no
// happens-before edge (TSan keeps seeing the model threads' races). The constructor, Stop()
// and the destructor belong to the owning thread. The callbacks run on the monitor thread with
// no watchdog lock held, and must lock what they read; they must not call Stop().
// Cost: Tick() is one atomic add on a shared line; the monitor wakes every timeout/4 (clamped
// to [1 ms, 50 ms]), so a hang is reported between `timeout` and `timeout` + one period after
// the last event.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>

namespace hvfuzz::check {

class Watchdog {
 public:
  // Asked after `timeout` without a Tick(): true when the silence is a hang. When false, the
  // watchdog keeps watching (and asks again every period until something ticks).
  using StallCheck = std::function<bool()>;
  // Called once when a hang is confirmed.
  using OnStall = std::function<void()>;

  // Starts the monitor thread. `timeout` must be positive.
  Watchdog(std::chrono::milliseconds timeout, StallCheck stalled, OnStall on_stall);
  // Stop().
  ~Watchdog();
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;

  // Records progress.
  void Tick() { progress_.fetch_add(1, std::memory_order_relaxed); }
  // Stops watching and joins the monitor thread; if `on_stall` is running, waits for it to
  // return. Idempotent.
  void Stop();
  // True once `on_stall` has been called; final after Stop().
  bool fired() const { return fired_.load(std::memory_order_relaxed); }
  // Number of Tick() calls so far.
  uint64_t progress() const { return progress_.load(std::memory_order_relaxed); }

 private:
  void Monitor();

  const std::chrono::milliseconds timeout_;
  const std::chrono::milliseconds period_;
  const StallCheck stalled_;
  const OnStall on_stall_;
  std::atomic<uint64_t> progress_{0};
  std::atomic<bool> fired_{false};
  std::atomic<bool> stop_{false};
  // Only for sleeping between samples: Stop() wakes the monitor through it.
  std::mutex sleep_mu_;
  std::condition_variable sleep_cv_;
  std::thread monitor_;
};

}  // namespace hvfuzz::check
