// SPDX-License-Identifier: Apache-2.0
// Watchdog on its own: fires after `timeout` of silence when the owner confirms a stall, never
// while something ticks or while the owner says the silence is fine, once at most, and Stop()
// returns promptly. The free-running hang scenarios are in
// fuzz/sched/free_running_runtime_test.cc. Every test ends within about a second.
#include "fuzz/check/watchdog.h"

#include <atomic>
#include <chrono>
#include <thread>

#include "gtest/gtest.h"

namespace hvfuzz::check {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

// Waits up to `limit` for `flag`; returns whether it became true.
bool WaitForFlag(const std::atomic<bool>& flag, milliseconds limit) {
  auto deadline = Clock::now() + limit;
  while (!flag.load() && Clock::now() < deadline) std::this_thread::sleep_for(milliseconds(2));
  return flag.load();
}

TEST(WatchdogTest, FiresAfterTimeoutWhenStalled) {
  std::atomic<bool> stalled_called{false};
  std::atomic<bool> fired{false};
  auto start = Clock::now();
  Watchdog dog(
      milliseconds(200),
      [&] {
        stalled_called = true;
        return true;
      },
      [&] { fired = true; });
  ASSERT_TRUE(WaitForFlag(fired, milliseconds(2000)));
  auto elapsed = Clock::now() - start;
  EXPECT_GE(elapsed, milliseconds(200));
  EXPECT_LT(elapsed, milliseconds(1500));
  EXPECT_TRUE(stalled_called);
  dog.Stop();
  EXPECT_TRUE(dog.fired());
}

TEST(WatchdogTest, DoesNotFireWhileProgressIsMade) {
  std::atomic<int> on_stall_calls{0};
  Watchdog dog(
      milliseconds(200), [] { return true; }, [&] { ++on_stall_calls; });
  // 600 ms of work, three timeouts long, ticking every 5 ms.
  auto end = Clock::now() + milliseconds(600);
  while (Clock::now() < end) {
    dog.Tick();
    std::this_thread::sleep_for(milliseconds(5));
  }
  dog.Stop();
  EXPECT_EQ(on_stall_calls.load(), 0);
  EXPECT_FALSE(dog.fired());
  EXPECT_GT(dog.progress(), 50u);
}

TEST(WatchdogTest, SilenceThatIsNotAStallDoesNotFire) {
  std::atomic<int> checks{0};
  std::atomic<int> on_stall_calls{0};
  Watchdog dog(
      milliseconds(100),
      [&] {
        ++checks;
        return false;
      },
      [&] { ++on_stall_calls; });
  std::this_thread::sleep_for(milliseconds(500));
  dog.Stop();
  EXPECT_GT(checks.load(), 1);  // asked again every period, not once
  EXPECT_EQ(on_stall_calls.load(), 0);
  EXPECT_FALSE(dog.fired());
}

TEST(WatchdogTest, FiresWhenTheSilenceBecomesAStall) {
  std::atomic<bool> someone_blocked{false};
  std::atomic<bool> fired{false};
  Watchdog dog(
      milliseconds(100), [&] { return someone_blocked.load(); }, [&] { fired = true; });
  std::this_thread::sleep_for(milliseconds(300));
  EXPECT_FALSE(fired.load());
  someone_blocked = true;
  EXPECT_TRUE(WaitForFlag(fired, milliseconds(1000)));
}

TEST(WatchdogTest, FiresAtMostOnce) {
  std::atomic<int> on_stall_calls{0};
  Watchdog dog(
      milliseconds(50), [] { return true; }, [&] { ++on_stall_calls; });
  std::this_thread::sleep_for(milliseconds(400));
  dog.Stop();
  EXPECT_EQ(on_stall_calls.load(), 1);
}

TEST(WatchdogTest, StopReturnsPromptlyWithALongTimeout) {
  auto start = Clock::now();
  {
    Watchdog dog(
        milliseconds(60000), [] { return true; }, [] {});
    std::this_thread::sleep_for(milliseconds(20));
  }  // the destructor stops it
  EXPECT_LT(Clock::now() - start, milliseconds(1000));
}

TEST(WatchdogTest, StopWaitsForARunningOnStall) {
  std::atomic<bool> entered{false};
  std::atomic<bool> finished{false};
  Watchdog dog(
      milliseconds(20), [] { return true; },
      [&] {
        entered = true;
        std::this_thread::sleep_for(milliseconds(100));
        finished = true;
      });
  ASSERT_TRUE(WaitForFlag(entered, milliseconds(1000)));
  dog.Stop();
  EXPECT_TRUE(finished.load());
}

TEST(WatchdogTest, TicksFromManyThreadsAreCounted) {
  Watchdog dog(
      milliseconds(1000), [] { return false; }, [] {});
  std::thread a([&] {
    for (int i = 0; i < 10000; ++i) dog.Tick();
  });
  std::thread b([&] {
    for (int i = 0; i < 10000; ++i) dog.Tick();
  });
  a.join();
  b.join();
  EXPECT_EQ(dog.progress(), 20000u);
}

}  // namespace
}  // namespace hvfuzz::check
