// SPDX-License-Identifier: Apache-2.0
// FreeRunningRuntime: task threads, the SyncRuntime primitives on real blocking, and Run().
// Tear-down and the hang snapshot are in free_running_teardown.cc.
#include "fuzz/sched/free_running_runtime.h"

#include <cstdio>
#include <cstdlib>
#include <latch>
#include <thread>

#include "model/sync/lock_base.h"

namespace hvfuzz::sched {
namespace {

// splitmix64 (Steele, Lea, Flood 2014): a tiny per-task stream for yield decisions.
uint64_t NextRandom(uint64_t& state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

[[noreturn]] void InternalError(const char* what) {
  std::fprintf(stderr, "hvfuzz: internal error: FreeRunningRuntime: %s\n", what);
  std::abort();
}

}  // namespace

// Everything the runtime keeps per task. Only the task's own thread touches `rng`; `finished`
// is read by the watchdog's snapshot.
struct FreeRunningRuntime::TaskRecord {
  std::unique_ptr<sync::Task> task;
  std::function<void()> body;
  std::thread thread;
  uint64_t rng = 0;
  std::atomic<bool> finished{false};
};

FreeRunningRuntime::FreeRunningRuntime(FreeRunningOptions options) : options_(options) {}

FreeRunningRuntime::~FreeRunningRuntime() = default;

sync::Task& FreeRunningRuntime::Spawn(std::string name, std::function<void()> body) {
  if (ran_) InternalError("Spawn() after Run()");
  auto record = std::make_unique<TaskRecord>();
  int id = static_cast<int>(records_.size());
  record->task = std::make_unique<sync::Task>(id, std::move(name), *this, no_observer_);
  record->task->set_backend_data(record.get());
  record->body = std::move(body);
  uint64_t seed_state = options_.seed ^ (0x5eedULL * static_cast<uint64_t>(id + 1));
  record->rng = NextRandom(seed_state);
  task_list_.push_back(record->task.get());
  records_.push_back(std::move(record));
  return *task_list_.back();
}

RunOutcome FreeRunningRuntime::Run(sync::SyncObserver& observer) {
  if (ran_) InternalError("Run() called twice");
  ran_ = true;
  {
    internal::InvisibleLock l(registry_mu_);
    blocked_on_.assign(records_.size(), nullptr);
  }
  for (auto& r : records_) r->task->set_observer(observer);
  if (options_.watchdog_timeout.count() > 0) {
    watchdog_ = std::make_unique<check::Watchdog>(
        options_.watchdog_timeout, [this] { return AnyTaskBlocked(); },
        [this] { OnWatchdogStall(); });
  }
  // All threads are created before any body runs, so thread start-up cost does not decide the
  // interleaving. Only Run()'s thread counts down: the gate orders it before each task and
  // orders no task before another.
  std::latch start_gate(1);
  try {
    for (auto& r : records_) {
      TaskRecord* record = r.get();
      record->thread = std::thread([this, record, &start_gate] {
        start_gate.wait();
        ThreadMain(*record);
      });
    }
  } catch (...) {
    // Out of threads: the started ones see the tear-down at their first step and end.
    Teardown(StopReason::kTaskFailed);
    start_gate.count_down();
    for (auto& r : records_) {
      if (r->thread.joinable()) r->thread.join();
    }
    watchdog_.reset();
    throw;
  }
  start_gate.count_down();
  AwaitThreads();
  for (auto& r : records_) r->thread.join();
  // Joined after the tasks: the watchdog may still be inside OnWatchdogStall(), and `hang_` is
  // read only once its thread is gone.
  if (watchdog_) watchdog_->Stop();
  watchdog_.reset();

  std::exception_ptr failure;
  {
    internal::InvisibleLock l(run_mu_);
    failure = failure_;
  }
  if (failure) std::rethrow_exception(failure);

  RunOutcome outcome;
  outcome.steps = steps_.load(std::memory_order_relaxed);
  switch (stop_reason_.load(std::memory_order_acquire)) {
    case StopReason::kNone:
      outcome.status = RunStatus::kCompleted;
      break;
    case StopReason::kWatchdog:
      outcome.status = RunStatus::kDeadlock;
      outcome.finding = std::move(hang_);
      break;
    case StopReason::kStopRequested:
    case StopReason::kTaskFailed:
      outcome.status = RunStatus::kStopped;
      break;
  }
  return outcome;
}

void FreeRunningRuntime::ThreadMain(TaskRecord& record) {
  sync::Task& task = *record.task;
  sync::SetCurrentTask(&task);
  try {
    if (!task.unwinding()) {
      SchedulingPoint(task, sync::SchedulingPoint::kThreadStart);
      record.body();
      SchedulingPoint(task, sync::SchedulingPoint::kThreadExit);
    }
  } catch (const sync::TaskKilled&) {
    // Unwound by a tear-down: the expected way out of a hang. Guards released their locks on
    // the way out; locks taken with explicit calls stay held by a task that no longer runs.
    // Tell TSan, on this task's own thread (the one that took them), so that the world's
    // destruction does not report them in place of the finding that stopped the run.
    for (const sync::HeldLock& h : task.held()) h.lock->ForgetHoldOfKilledTask(h);
  } catch (...) {
    {
      internal::InvisibleLock l(run_mu_);
      if (!failure_) failure_ = std::current_exception();
    }
    Teardown(StopReason::kTaskFailed);
  }
  sync::SetCurrentTask(nullptr);
  // Published before the count, so a snapshot never sees a counted task as unfinished.
  record.finished.store(true, std::memory_order_relaxed);
  {
    internal::InvisibleLock l(run_mu_);
    ++finished_count_;
  }
  run_cv_.notify_all();
}

void FreeRunningRuntime::AwaitThreads() {
  const size_t total = records_.size();
  while (true) {
    bool tearing_down;
    {
      internal::InvisibleLock l(run_mu_);
      if (finished_count_ == total) return;
      // While tearing down, poll: a waiter that registered but had not yet slept when the
      // last wake-up pass ran missed it, and only the next pass reaches it.
      run_mu_.WaitFor(
          run_cv_, tearing_down_ ? std::chrono::milliseconds(1) : std::chrono::milliseconds(100));
      if (finished_count_ == total) return;
      tearing_down = tearing_down_;
    }
    // Outside run_mu_: the pass takes the registry lock, which model threads take too.
    if (tearing_down) WakeBlockedTasks();
  }
}

std::vector<check::TaskState> FreeRunningRuntime::TaskStates() const {
  std::vector<check::TaskState> states;
  states.reserve(records_.size());
  for (const auto& r : records_) {
    states.push_back({r->task.get(), r->finished.load(std::memory_order_relaxed)});
  }
  return states;
}

void FreeRunningRuntime::Progress() {
  if (watchdog_) watchdog_->Tick();
}

void FreeRunningRuntime::SchedulingPoint(sync::Task& task, sync::SchedulingPoint /*point*/) {
  steps_.fetch_add(1, std::memory_order_relaxed);
  Progress();
  if (options_.yield_probability <= 0.0) return;
  auto* record = static_cast<TaskRecord*>(task.backend_data());
  // 53 random bits as a double in [0, 1).
  double draw = static_cast<double>(NextRandom(record->rng) >> 11) * 0x1.0p-53;
  if (draw < options_.yield_probability) std::this_thread::yield();
}

void FreeRunningRuntime::LockState(sync::WaitChannel& channel) { channel.mu.lock(); }

void FreeRunningRuntime::UnlockState(sync::WaitChannel& channel) { channel.mu.unlock(); }

void FreeRunningRuntime::Wait(sync::Task& task, sync::WaitChannel& channel) {
  {
    internal::InvisibleLock l(registry_mu_);
    // Checked and registered in one registry section, which Teardown() holds while it marks
    // tasks unwinding: either this task sees the mark and never sleeps, or it is registered
    // before the tear-down's first wake-up pass (and, until it sleeps, holds channel.mu, so a
    // pass that misses it is followed by another; see AwaitThreads()).
    if (task.unwinding()) throw sync::TaskKilled{};
    blocked_on_[task.id()] = &channel;
    ++blocked_count_;
  }
  Progress();
  {
    std::unique_lock<std::mutex> lock(channel.mu, std::adopt_lock);
    // One wake-up (or a spurious one) is enough: the primitive re-checks its condition.
    channel.cv.wait(lock);
    lock.release();
  }
  {
    internal::InvisibleLock l(registry_mu_);
    blocked_on_[task.id()] = nullptr;
    --blocked_count_;
  }
  Progress();
  if (task.unwinding()) throw sync::TaskKilled{};
}

void FreeRunningRuntime::Wake(sync::WaitChannel& channel) {
  channel.cv.notify_all();
  Progress();
}

}  // namespace hvfuzz::sched
