// SPDX-License-Identifier: Apache-2.0
// ControlledScheduler's own contract: determinism and replay, which decisions consume input,
// strategies reaching both orders of a race. Ending a run early: controlled_scheduler_unwind_test.
#include "fuzz/sched/controlled_scheduler.h"

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "gtest/gtest.h"
#include "model/sync/mutex.h"
#include "model/sync/rw_semaphore.h"
#include "model/sync/srcu.h"
#include "model/sync/wait_event.h"

namespace hvfuzz::sched {
namespace {

using sync::LockClass;
using sync::LockKind;

const LockClass kM{"sched_m", LockKind::kMutex};
const LockClass kR{"sched_r", LockKind::kRwSemaphore};
const LockClass kS{"sched_s", LockKind::kSrcu};

#if defined(HVFUZZ_TSAN)
// TSan's own lock-order detector sees the model's locks (they carry __tsan_mutex annotations)
// and would report the deadlocks these tests build on purpose; hvfuzz's validator owns that.
extern "C" const char* __tsan_default_options() { return "detect_deadlocks=0"; }
#endif

// Scoped rwsem and SRCU holds, so that a task unwound mid-section leaves no lock held (a lock
// destroyed while held looks, to TSan, like a double lock of the next lock at its address).
struct WriteGuard {
  explicit WriteGuard(sync::RwSemaphore& r) : r_(r) { r_.DownWrite(); }
  ~WriteGuard() { r_.UpWrite(); }
  sync::RwSemaphore& r_;
};
struct ReadGuard {
  explicit ReadGuard(sync::RwSemaphore& r) : r_(r) { r_.DownRead(); }
  ~ReadGuard() { r_.UpRead(); }
  sync::RwSemaphore& r_;
};
struct SrcuGuard {
  explicit SrcuGuard(sync::Srcu& s) : s_(s), idx_(s.ReadLock()) {}
  ~SrcuGuard() { s_.ReadUnlock(idx_); }
  sync::Srcu& s_;
  int idx_;
};

// A small workload with every kind of decision: lock contention, readers and writers, SRCU,
// explicit yields; some seeds also deadlock (t2 takes m then r, t1 takes r then m).
struct Workload {
  sync::Mutex m{kM};
  sync::RwSemaphore r{kR};
  sync::Srcu s{kS};
  std::vector<int> order;

  void SpawnOn(ControlledScheduler& sched) {
    sched.Spawn("t0", [this] {
      for (int i = 0; i < 3; ++i) {
        SrcuGuard read(s);
        sync::MutexGuard g(m);
        order.push_back(0);
      }
    });
    sched.Spawn("t1", [this] {
      WriteGuard w(r);
      sync::CondResched();
      sync::MutexGuard g(m);
      order.push_back(1);
    });
    sched.Spawn("t2", [this] {
      s.Synchronize();
      sync::MutexGuard g(m);
      ReadGuard read(r);
      order.push_back(2);
    });
  }
};

struct Result {
  RunStatus status;
  uint64_t steps;
  std::vector<uint32_t> trace;
  std::vector<int> order;
  std::string finding_title;
  std::optional<size_t> divergence;
};

Result RunWorkload(const ScheduleOptions& o) {
  ControlledScheduler sched(o);
  Workload w;
  w.SpawnOn(sched);
  sync::SyncObserver observer;
  RunOutcome out = sched.Run(observer);
  return Result{out.status,
                out.steps,
                sched.trace().decisions,
                w.order,
                out.finding ? out.finding->title : "",
                sched.trace().replay_divergence};
}

TEST(ControlledSchedulerTest, SameOptionsSameRunAHundredTimesAndReplayReproducesIt) {
  std::set<RunStatus> statuses;
  for (const char* strategy : {"random", "pct"}) {
    for (uint64_t seed : {1u, 2u, 3u, 1234u}) {
      ScheduleOptions o;
      o.strategy = strategy;
      o.seed = seed;
      Result first = RunWorkload(o);
      statuses.insert(first.status);
      for (int i = 0; i < 100; ++i) {
        Result again = RunWorkload(o);
        ASSERT_EQ(again.trace, first.trace) << strategy << " seed " << seed << " run " << i;
        ASSERT_EQ(again.status, first.status);
        ASSERT_EQ(again.steps, first.steps);
        ASSERT_EQ(again.order, first.order);
        ASSERT_EQ(again.finding_title, first.finding_title);
      }
      ScheduleOptions replay;
      replay.strategy = "replay";
      replay.replay = first.trace;
      Result replayed = RunWorkload(replay);
      EXPECT_EQ(replayed.trace, first.trace);
      EXPECT_EQ(replayed.status, first.status);
      EXPECT_EQ(replayed.steps, first.steps);
      EXPECT_EQ(replayed.order, first.order);
      EXPECT_EQ(replayed.finding_title, first.finding_title);
      EXPECT_FALSE(replayed.divergence.has_value());
    }
  }
  EXPECT_GE(statuses.size(), 1u);
}

TEST(ControlledSchedulerTest, ReplayReportsWhereItLeftTheTrace) {
  ScheduleOptions o;
  o.seed = 5;
  Result first = RunWorkload(o);
  ASSERT_GE(first.trace.size(), 3u);
  ScheduleOptions replay;
  replay.strategy = "replay";
  replay.replay = first.trace;
  replay.replay.resize(2);
  EXPECT_EQ(RunWorkload(replay).divergence, 2u);
  replay.replay = first.trace;
  replay.replay.push_back(0);
  replay.replay.push_back(0);
  EXPECT_EQ(RunWorkload(replay).divergence, first.trace.size());
}

TEST(ControlledSchedulerTest, OnlyRealChoicesAreRecordedButEveryPointIsAStep) {
  ControlledScheduler s(ScheduleOptions{});
  sync::Task& t = s.Spawn("alone", [&] {
    for (int i = 0; i < 5; ++i) sync::CondResched();
  });
  sync::SyncObserver observer;
  RunOutcome r = s.Run(observer);
  EXPECT_EQ(r.status, RunStatus::kCompleted);
  EXPECT_EQ(r.steps, 5u);
  EXPECT_EQ(t.step(), 5u);
  EXPECT_TRUE(s.trace().decisions.empty());
}

TEST(ControlledSchedulerTest, EveryStrategyReachesBothOrdersOfARace) {
  auto run = [](const ScheduleOptions& o) {
    ControlledScheduler s(o);
    sync::Mutex log_lock(kM);  // orders the pushes for TSan; the race is their order
    std::vector<int> order;
    for (int t = 0; t < 2; ++t) {
      s.Spawn("t" + std::to_string(t), [&order, &log_lock, t] {
        sync::CondResched();
        sync::MutexGuard g(log_lock);
        order.push_back(t);
      });
    }
    sync::SyncObserver observer;
    s.Run(observer);
    return std::make_pair(order, s.trace().decisions);
  };
  std::map<std::vector<int>, std::vector<uint32_t>> traces;
  for (const char* strategy : {"random", "pct"}) {
    std::set<std::vector<int>> orders;
    for (uint64_t seed = 0; seed < 32; ++seed) {
      ScheduleOptions o;
      o.strategy = strategy;
      o.seed = seed;
      o.pct_steps = 4;
      auto [order, trace] = run(o);
      orders.insert(order);
      traces[order] = trace;
    }
    EXPECT_EQ(orders.size(), 2u) << strategy;
  }
  ASSERT_EQ(traces.size(), 2u);
  for (const auto& [order, trace] : traces) {
    ScheduleOptions o;
    o.strategy = "replay";
    o.replay = trace;
    EXPECT_EQ(run(o).first, order);
  }
}

// Every event carries the step of its task (reports print it and order lock-order edges
// "newest first" by it), so steps seen in event order must never go backwards: a task resumed
// after others ran carries the step that chose it, not the one where it was switched out.
TEST(ControlledSchedulerTest, StepsSeenByEventsNeverGoBackwards) {
  struct StepLog final : sync::SyncObserver {
    std::vector<std::pair<int, uint64_t>> events;  // (task, its step), in occurrence order
    void OnAcquired(sync::Task& t, const sync::HeldLock&) override {
      events.emplace_back(t.id(), t.step());
    }
    void OnRelease(sync::Task& t, const sync::HeldLock&, sync::Site) override {
      events.emplace_back(t.id(), t.step());
    }
  };
  int resumptions = 0;  // events of a task that had run before others ran in between
  for (const char* strategy : {"random", "pct"}) {
    for (uint64_t seed = 0; seed < 64; ++seed) {
      ScheduleOptions o;
      o.strategy = strategy;
      o.seed = seed;
      ControlledScheduler sched(o);
      Workload w;
      w.SpawnOn(sched);
      StepLog log;
      sched.Run(log);
      ASSERT_FALSE(log.events.empty());
      std::set<int> seen;
      for (size_t i = 0; i < log.events.size(); ++i) {
        const auto [task, step] = log.events[i];
        if (i > 0) {
          ASSERT_LE(log.events[i - 1].second, step)
              << strategy << " seed " << seed << " event " << i;
          if (log.events[i - 1].first != task && seen.count(task) != 0) ++resumptions;
        }
        seen.insert(task);
      }
    }
  }
  EXPECT_GT(resumptions, 0) << "the workload never switched a task out and back";
}

TEST(ControlledSchedulerTest, NoTasksCompletesAtOnce) {
  ControlledScheduler s(ScheduleOptions{});
  sync::SyncObserver observer;
  RunOutcome r = s.Run(observer);
  EXPECT_EQ(r.status, RunStatus::kCompleted);
  EXPECT_EQ(r.steps, 0u);
}

TEST(ControlledSchedulerDeathTest, UnknownStrategyIsAnInternalError) {
  ScheduleOptions o;
  o.strategy = "bogus";
  EXPECT_DEATH(ControlledScheduler s(o), "hvfuzz: internal error: .*unknown strategy 'bogus'");
}

}  // namespace
}  // namespace hvfuzz::sched
