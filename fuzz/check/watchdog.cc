// SPDX-License-Identifier: Apache-2.0
// Watchdog monitor loop, a sampling progress watchdog:
//   1. sleep one period (Stop() cuts the sleep short);
//   2. if the progress counter moved, remember the value and the time, and go to 1;
//   3. if it has not moved for `timeout`, ask `stalled()`; on false go to 1 (the timer is not
//      reset: the next Tick() resets it);
//   4. on true, call `on_stall()` once and exit.
#include "fuzz/check/watchdog.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

namespace hvfuzz::check {
namespace {

using Clock = std::chrono::steady_clock;

std::chrono::milliseconds PeriodFor(std::chrono::milliseconds timeout) {
  return std::clamp(timeout / 4, std::chrono::milliseconds(1), std::chrono::milliseconds(50));
}

}  // namespace

Watchdog::Watchdog(std::chrono::milliseconds timeout, StallCheck stalled, OnStall on_stall)
    : timeout_(timeout),
      period_(PeriodFor(timeout)),
      stalled_(std::move(stalled)),
      on_stall_(std::move(on_stall)) {
  if (timeout_.count() <= 0 || !stalled_ || !on_stall_) {
    std::fprintf(stderr,
                 "hvfuzz: internal error: Watchdog needs a positive timeout and both "
                 "callbacks\n");
    std::abort();
  }
  // Started last: the monitor reads every member initialized above.
  monitor_ = std::thread([this] { Monitor(); });
}

Watchdog::~Watchdog() { Stop(); }

void Watchdog::Stop() {
  stop_.store(true, std::memory_order_relaxed);
  {
    // Taking the mutex between the store and the notify closes the window in which the monitor
    // has checked `stop_` (under sleep_mu_) but not yet started to sleep: without it the
    // notify could be lost and Stop() would wait one more period (pairs with Monitor()).
    std::lock_guard<std::mutex> lock(sleep_mu_);
  }
  sleep_cv_.notify_all();
  if (monitor_.joinable()) monitor_.join();
}

void Watchdog::Monitor() {
  uint64_t seen = progress_.load(std::memory_order_relaxed);
  Clock::time_point last_change = Clock::now();
  while (true) {
    {
      std::unique_lock<std::mutex> lock(sleep_mu_);
      sleep_cv_.wait_for(lock, period_, [this] { return stop_.load(std::memory_order_relaxed); });
    }
    if (stop_.load(std::memory_order_relaxed)) return;
    uint64_t now_seen = progress_.load(std::memory_order_relaxed);
    Clock::time_point now = Clock::now();
    if (now_seen != seen) {
      seen = now_seen;
      last_change = now;
      continue;
    }
    if (now - last_change < timeout_) continue;
    // The callbacks run without sleep_mu_, so that Stop() on the owning thread never waits
    // behind a snapshot that is itself waiting for model threads (STYLE.md G9).
    if (!stalled_()) continue;
    fired_.store(true, std::memory_order_relaxed);
    on_stall_();
    return;
  }
}

}  // namespace hvfuzz::check
