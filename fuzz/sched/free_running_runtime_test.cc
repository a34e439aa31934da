// SPDX-License-Identifier: Apache-2.0
// FreeRunningRuntime on real threads: mutual exclusion, hangs caught by the watchdog (ABBA,
// synchronize_srcu under a lock a reader wants) with their wait-for cycle and held locks, no
// false alarm on long but progressing runs, RequestStop() and failing bodies unwinding every
// thread, and (TSan build) model races still visible. Completions force the interleavings, so
// no outcome depends on the OS scheduler; every test ends within a few seconds.
#include "fuzz/sched/free_running_runtime.h"

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "model/sync/mutex.h"
#include "model/sync/srcu.h"
#include "model/sync/wait_event.h"

namespace hvfuzz::sched {
namespace {

using check::FindingKind;
using std::chrono::milliseconds;
using sync::Completion;
using sync::Mutex;
using sync::MutexGuard;
using Clock = std::chrono::steady_clock;

const sync::LockClass kClassA{"free_a", sync::LockKind::kMutex};
const sync::LockClass kClassB{"free_b", sync::LockKind::kMutex};
const sync::LockClass kClassSrcu{"free_srcu", sync::LockKind::kSrcu};
const sync::LockClass kClassEvent{"free_event", sync::LockKind::kLockdepMap};

FreeRunningOptions WithTimeout(milliseconds timeout, double yield_probability = 0.0) {
  FreeRunningOptions options;
  options.watchdog_timeout = timeout;
  options.seed = 0x5eed;
  options.yield_probability = yield_probability;
  return options;
}

// Threads of this process, from /proc/self/status.
int ProcessThreads() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("Threads:", 0) == 0) return std::stoi(line.substr(8));
  }
  return -1;
}

std::vector<std::string> HeldClasses(const check::TaskSnapshot& task) {
  std::vector<std::string> out;
  for (const check::LockRef& l : task.held) out.push_back(l.lock_class);
  return out;
}

TEST(FreeRunningRuntimeTest, MutexExcludesAcrossFourThreads) {
  FreeRunningRuntime runtime(WithTimeout(milliseconds(5000), /*yield_probability=*/0.2));
  Mutex m(kClassA);
  int counter = 0;
  int inside = 0;
  int overlaps = 0;
  for (int t = 0; t < 4; ++t) {
    runtime.Spawn("t" + std::to_string(t), [&] {
      for (int i = 0; i < 1000; ++i) {
        MutexGuard g(m);
        if (++inside != 1) ++overlaps;
        ++counter;
        --inside;
      }
    });
  }
  sync::SyncObserver observer;
  RunOutcome outcome = runtime.Run(observer);
  EXPECT_EQ(outcome.status, RunStatus::kCompleted);
  EXPECT_FALSE(outcome.finding.has_value());
  EXPECT_EQ(counter, 4000);
  EXPECT_EQ(overlaps, 0);
  // Start and exit of 4 tasks, and an acquire and a release point per iteration.
  EXPECT_EQ(outcome.steps, 4u * 2 + 4u * 1000 * 2);
}

TEST(FreeRunningRuntimeTest, AbbaHangIsReportedWithCycleAndEveryThreadJoins) {
  // A first thread makes the sanitizers start their helper threads before the baseline.
  std::thread([] {}).join();
  int threads_before = ProcessThreads();
  FreeRunningRuntime runtime(WithTimeout(milliseconds(300)));
  Mutex a(kClassA, "vm0"), b(kClassB, "vm0");
  Completion a_held(kClassEvent), b_held(kClassEvent);
  runtime.Spawn("t0", [&] {
    MutexGuard ga(a);
    a_held.Complete();
    b_held.WaitForCompletion();
    MutexGuard gb(b);
  });
  runtime.Spawn("t1", [&] {
    a_held.WaitForCompletion();
    MutexGuard gb(b);
    b_held.Complete();
    MutexGuard ga(a);
  });
  sync::SyncObserver observer;
  auto start = Clock::now();
  RunOutcome outcome = runtime.Run(observer);
  EXPECT_LT(Clock::now() - start, milliseconds(5000));

  ASSERT_EQ(outcome.status, RunStatus::kDeadlock);
  ASSERT_TRUE(outcome.finding.has_value());
  const check::Finding& f = *outcome.finding;
  EXPECT_EQ(f.kind, FindingKind::kWatchdogHang);
  EXPECT_EQ(f.cycle.size(), 2u);
  ASSERT_EQ(f.tasks.size(), 2u);
  EXPECT_EQ(HeldClasses(f.tasks[0]), std::vector<std::string>{"free_a"});
  EXPECT_EQ(HeldClasses(f.tasks[1]), std::vector<std::string>{"free_b"});
  ASSERT_TRUE(f.tasks[0].waiting_for.has_value());
  EXPECT_EQ(f.tasks[0].waiting_for->lock_class, "free_b");
  EXPECT_EQ(f.tasks[0].blocked_by, std::vector<int>{1});
  EXPECT_EQ(f.tasks[1].blocked_by, std::vector<int>{0});
  EXPECT_EQ(f.replay.seed, 0x5eedu);
  // Unwinding ran the guards: both locks are free, and no task thread is left.
  EXPECT_FALSE(a.IsLocked());
  EXPECT_FALSE(b.IsLocked());
  EXPECT_EQ(ProcessThreads(), threads_before);
}

TEST(FreeRunningRuntimeTest, SynchronizeSrcuUnderLockVersusReaderWantingItHangs) {
  FreeRunningRuntime runtime(WithTimeout(milliseconds(300)));
  Mutex lock(kClassA);
  sync::Srcu srcu(kClassSrcu);
  Completion reading(kClassEvent), locked(kClassEvent);
  runtime.Spawn("syncer", [&] {
    reading.WaitForCompletion();
    MutexGuard g(lock);
    locked.Complete();
    srcu.Synchronize();  // waits for the reader, which waits for `lock`
  });
  runtime.Spawn("reader", [&] {
    int idx = srcu.ReadLock();
    reading.Complete();
    locked.WaitForCompletion();
    lock.Lock();
    lock.Unlock();
    srcu.ReadUnlock(idx);
  });
  sync::SyncObserver observer;
  RunOutcome outcome = runtime.Run(observer);
  ASSERT_EQ(outcome.status, RunStatus::kDeadlock);
  ASSERT_TRUE(outcome.finding.has_value());
  const check::Finding& f = *outcome.finding;
  EXPECT_EQ(f.kind, FindingKind::kWatchdogHang);
  EXPECT_EQ(f.cycle.size(), 2u);
  ASSERT_EQ(f.tasks.size(), 2u);
  EXPECT_EQ(HeldClasses(f.tasks[0]), std::vector<std::string>{"free_a"});
  EXPECT_EQ(HeldClasses(f.tasks[1]), std::vector<std::string>{"free_srcu"});
  ASSERT_TRUE(f.tasks[0].waiting_for.has_value());
  EXPECT_EQ(f.tasks[0].waiting_for->lock_class, "free_srcu");
  EXPECT_EQ(f.tasks[0].blocked_by, std::vector<int>{1});
  EXPECT_EQ(f.tasks[1].blocked_by, std::vector<int>{0});
  EXPECT_FALSE(lock.IsLocked());
}

TEST(FreeRunningRuntimeTest, LongButProgressingRunNeverTripsTheWatchdog) {
  FreeRunningRuntime runtime(WithTimeout(milliseconds(300)));
  Mutex m(kClassA);
  Completion done(kClassEvent);
  int counter = 0;
  // "waiter" stays blocked for the whole run (three timeouts); the others keep making events.
  runtime.Spawn("waiter", [&] { done.WaitForCompletion(); });
  auto worker = [&](bool completes) {
    return [&, completes] {
      auto end = Clock::now() + milliseconds(1000);
      while (Clock::now() < end) {
        {
          MutexGuard g(m);
          ++counter;
        }
        sync::CondResched();
        std::this_thread::sleep_for(milliseconds(1));
      }
      if (completes) done.Complete();
    };
  };
  runtime.Spawn("worker0", worker(true));
  runtime.Spawn("worker1", worker(false));
  sync::SyncObserver observer;
  RunOutcome outcome = runtime.Run(observer);
  EXPECT_EQ(outcome.status, RunStatus::kCompleted);
  EXPECT_FALSE(outcome.finding.has_value());
  EXPECT_GT(counter, 100);
}

TEST(FreeRunningRuntimeTest, RequestStopFromAnotherThreadUnwindsBlockedTasks) {
  FreeRunningRuntime runtime(WithTimeout(milliseconds(60000)));
  Mutex m(kClassA);
  Completion holding(kClassEvent), never(kClassEvent);
  runtime.Spawn("holder", [&] {
    MutexGuard g(m);
    holding.Complete();
    never.WaitForCompletion();
  });
  runtime.Spawn("contender", [&] {
    holding.WaitForCompletion();
    MutexGuard g(m);
  });
  std::thread stopper([&] {
    std::this_thread::sleep_for(milliseconds(100));
    runtime.RequestStop();
  });
  sync::SyncObserver observer;
  auto start = Clock::now();
  RunOutcome outcome = runtime.Run(observer);
  stopper.join();
  EXPECT_LT(Clock::now() - start, milliseconds(5000));
  EXPECT_EQ(outcome.status, RunStatus::kStopped);
  EXPECT_FALSE(outcome.finding.has_value());
  EXPECT_FALSE(m.IsLocked());
}

// Stops the run at the first contended acquisition (as an executor does after a finding).
class StopOnContended : public sync::SyncObserver {
 public:
  explicit StopOnContended(FreeRunningRuntime& runtime) : runtime_(runtime) {}
  void OnContended(sync::Task&, const sync::HeldLock&) override { runtime_.RequestStop(); }

 private:
  FreeRunningRuntime& runtime_;
};

TEST(FreeRunningRuntimeTest, RequestStopFromAnObserverStopsTheRun) {
  FreeRunningRuntime runtime(WithTimeout(milliseconds(60000)));
  Mutex m(kClassA);
  Completion holding(kClassEvent), never(kClassEvent);
  bool contender_got_lock = false;
  runtime.Spawn("holder", [&] {
    MutexGuard g(m);
    holding.Complete();
    never.WaitForCompletion();
  });
  runtime.Spawn("contender", [&] {
    holding.WaitForCompletion();
    MutexGuard g(m);
    contender_got_lock = true;
  });
  StopOnContended observer(runtime);
  RunOutcome outcome = runtime.Run(observer);
  EXPECT_EQ(outcome.status, RunStatus::kStopped);
  EXPECT_FALSE(contender_got_lock);
  EXPECT_FALSE(m.IsLocked());
}

TEST(FreeRunningRuntimeTest, ExceptionFromABodyIsRethrownAfterEveryThreadJoins) {
  FreeRunningRuntime runtime(WithTimeout(milliseconds(60000)));
  Completion never(kClassEvent);
  runtime.Spawn("blocked", [&] { never.WaitForCompletion(); });
  runtime.Spawn("failing", [] { throw std::runtime_error("model bug"); });
  sync::SyncObserver observer;
  EXPECT_THROW(runtime.Run(observer), std::runtime_error);
}

TEST(FreeRunningRuntimeTest, RunWithoutTasksCompletes) {
  FreeRunningRuntime runtime;
  sync::SyncObserver observer;
  RunOutcome outcome = runtime.Run(observer);
  EXPECT_EQ(outcome.status, RunStatus::kCompleted);
  EXPECT_EQ(outcome.steps, 0u);
}

// Two tasks bump one heap counter 1000 times each, under a model mutex when `locked`.
void RunSharedIncrements(bool locked) {
  auto counter = std::make_unique<int>(0);
  Mutex m(kClassA);
  FreeRunningRuntime runtime(WithTimeout(milliseconds(5000)));
  for (int t = 0; t < 2; ++t) {
    runtime.Spawn("t" + std::to_string(t), [&] {
      for (int i = 0; i < 1000; ++i) {
        if (locked) {
          MutexGuard g(m);
          ++*counter;
        } else {
          ++*counter;
        }
      }
    });
  }
  sync::SyncObserver observer;
  runtime.Run(observer);
}

// TSan's verdict comes from a child process (gtest re-runs this binary for the statement), so
// a reported race fails only the child: TSan makes its exit status 66.
TEST(FreeRunningTsanDeathTest, RaceBetweenModelThreadsIsReported) {
  if (!sync::internal::kTsan) GTEST_SKIP() << "needs the TSan build (preset tsan)";
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(
      {
        RunSharedIncrements(/*locked=*/false);
        // Every thread is joined; TSan sets the exit status from its exit hook.
        std::exit(0);  // NOLINT(concurrency-mt-unsafe)
      },
      testing::ExitedWithCode(66), "WARNING: ThreadSanitizer: data race");
}

TEST(FreeRunningTsanDeathTest, ModelMutexOrdersTheThreads) {
  if (!sync::internal::kTsan) GTEST_SKIP() << "needs the TSan build (preset tsan)";
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(
      {
        RunSharedIncrements(/*locked=*/true);
        // Every thread is joined; TSan sets the exit status from its exit hook.
        std::exit(0);  // NOLINT(concurrency-mt-unsafe)
      },
      testing::ExitedWithCode(0), testing::Not(testing::HasSubstr("ThreadSanitizer")));
}

// A task takes a model mutex with an explicit Lock() and then blocks (`killed`), or returns
// holding it (a leak); the mutex is destroyed after the run, as a World's locks are.
void LeaveMutexHeld(bool killed) {
  auto m = std::make_unique<Mutex>(kClassA);
  Completion never(kClassEvent);
  std::atomic<bool> holding{false};
  FreeRunningRuntime runtime(WithTimeout(milliseconds(60000)));
  // Deliberately never unlocked: the thread-safety analysis cannot know that.
  runtime.Spawn("holder", [&]() HV_NO_THREAD_SAFETY_ANALYSIS {
    m->Lock();
    holding.store(true);
    if (killed) never.WaitForCompletion();
  });
  std::thread stopper([&] {
    while (!holding.load()) std::this_thread::sleep_for(milliseconds(1));
    if (killed) runtime.RequestStop();
  });
  sync::SyncObserver observer;
  runtime.Run(observer);
  stopper.join();
  m.reset();
}

// With report_destroy_locked=1 (the naive harness's setting), a lock a tear-down left with a
// killed task must not be reported as destroyed while locked: that report used to halt the
// harness before it printed the finding that had stopped the run. A lock a task leaks on a
// normal return still is (the control: the child really runs with the option on).
TEST(FreeRunningTsanDeathTest, LockOfAKilledTaskIsNotDestroyedLockedButALeakedOneIs) {
  if (!sync::internal::kTsan) GTEST_SKIP() << "needs the TSan build (preset tsan)";
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  const char* saved = std::getenv("TSAN_OPTIONS");
  const std::string restore = saved ? saved : "";
  // The death-test child is this binary re-executed: it reads the options from here.
  setenv("TSAN_OPTIONS", "detect_deadlocks=0:report_destroy_locked=1", 1);  // NOLINT
  EXPECT_EXIT(
      {
        LeaveMutexHeld(/*killed=*/true);
        std::exit(0);  // NOLINT(concurrency-mt-unsafe)
      },
      testing::ExitedWithCode(0), testing::Not(testing::HasSubstr("ThreadSanitizer")));
  EXPECT_EXIT(
      {
        LeaveMutexHeld(/*killed=*/false);
        std::exit(0);  // NOLINT(concurrency-mt-unsafe)
      },
      testing::ExitedWithCode(66), "destroy of a locked mutex");
  setenv("TSAN_OPTIONS", restore.c_str(), 1);  // NOLINT
}

}  // namespace
}  // namespace hvfuzz::sched
