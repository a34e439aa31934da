// SPDX-License-Identifier: Apache-2.0
// LockedObserver: an observer that is not thread-safe sees every event of concurrent model
// threads, whole and one at a time; in the TSan build its mutex orders no model thread, so a
// race between them stays visible.
#include "fuzz/sched/locked_observer.h"

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "fuzz/sched/free_running_runtime.h"
#include "gtest/gtest.h"
#include "model/sync/mutex.h"

namespace hvfuzz::sched {
namespace {

using sync::Mutex;

const sync::LockClass kClassPrivate{"locked_observer_private", sync::LockKind::kMutex};

// Counts events in plain ints and checks that no two calls overlap.
class CountingObserver : public sync::SyncObserver {
 public:
  int acquires = 0;
  int acquired = 0;
  int releases = 0;
  int might_sleep = 0;
  int overlaps = 0;

  void OnAcquire(sync::Task&, const sync::HeldLock&) override { Count(acquires); }
  void OnAcquired(sync::Task&, const sync::HeldLock&) override { Count(acquired); }
  void OnRelease(sync::Task&, const sync::HeldLock&, sync::Site) override { Count(releases); }
  void OnMightSleep(sync::Task&, sync::Site) override { Count(might_sleep); }

 private:
  void Count(int& field) {
    if (++inside_ != 1) ++overlaps;
    ++field;
    --inside_;
  }
  int inside_ = 0;
};

// `tasks` tasks, each taking its own model mutex `iterations` times (so the model orders no
// task before another), reporting through a LockedObserver around `inner`. With `race`, each
// iteration also bumps one shared heap int with no model lock.
void RunPrivateLocking(sync::SyncObserver& inner, int tasks, int iterations, bool race) {
  FreeRunningOptions options;
  options.watchdog_timeout = std::chrono::milliseconds(5000);
  FreeRunningRuntime runtime(options);
  std::vector<std::unique_ptr<Mutex>> mutexes;
  auto shared = std::make_unique<int>(0);
  for (int t = 0; t < tasks; ++t) {
    mutexes.push_back(std::make_unique<Mutex>(kClassPrivate));
    Mutex* mine = mutexes.back().get();
    runtime.Spawn("t" + std::to_string(t), [mine, iterations, race, &shared] {
      for (int i = 0; i < iterations; ++i) {
        if (race) ++*shared;
        mine->Lock();
        mine->Unlock();
      }
    });
  }
  LockedObserver locked(inner);
  runtime.Run(locked);
}

TEST(LockedObserverTest, SerializesANonThreadSafeObserver) {
  CountingObserver counting;
  RunPrivateLocking(counting, /*tasks=*/4, /*iterations=*/500, /*race=*/false);
  EXPECT_EQ(counting.acquires, 2000);
  EXPECT_EQ(counting.acquired, 2000);
  EXPECT_EQ(counting.releases, 2000);
  EXPECT_EQ(counting.might_sleep, 2000);
  EXPECT_EQ(counting.overlaps, 0);
}

TEST(LockedObserverDeathTest, AddsNoHappensBeforeBetweenModelThreads) {
  if (!sync::internal::kTsan) GTEST_SKIP() << "needs the TSan build (preset tsan)";
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  // Every iteration of both tasks goes through the observer's mutex; were TSan to see it,
  // it would order the two tasks' increments and the race would go unreported.
  EXPECT_EXIT(
      {
        CountingObserver counting;
        RunPrivateLocking(counting, /*tasks=*/2, /*iterations=*/1000, /*race=*/true);
        // Every thread is joined; TSan sets the exit status from its exit hook.
        std::exit(0);  // NOLINT(concurrency-mt-unsafe)
      },
      testing::ExitedWithCode(66), "WARNING: ThreadSanitizer: data race");
}

}  // namespace
}  // namespace hvfuzz::sched
