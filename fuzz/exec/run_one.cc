// SPDX-License-Identifier: Apache-2.0
// RunOne, in order:
//   1. a fresh model World with the run's bug switches, shape and fault-injection point;
//   2. one model task per program thread, on the controlled scheduler (seeded by the program)
//      or, for the free-running backend, on real threads under the watchdog;
//   3. observers: the interleaving recorder first (so the triggering event is in the finding's
//      interleaving), then the coverage feedback, then the validator, which stops the run at
//      its first finding after snapshotting every task (unwinding empties the held stacks);
//   4. the validator's finding wins over the backend's (it sees a deadlock before it happens)
//      and is completed with the interleaving, the task snapshots and the replay line.
#include "fuzz/exec/run_one.h"

#include <algorithm>
#include <string>

#include "fuzz/check/interleaving_recorder.h"
#include "fuzz/check/lock_order_validator.h"
#include "fuzz/check/wait_for_graph.h"
#include "fuzz/sched/controlled_scheduler.h"
#include "fuzz/sched/free_running_runtime.h"
#include "fuzz/sched/locked_observer.h"
#include "model/sync/sync_observer.h"
#include "model/world.h"

namespace hvfuzz::exec {
namespace {

constexpr uint64_t kPctDecisionsPerOp = 4;

sched::ScheduleOptions ScheduleFor(const prog::Program& program, const RunOptions& options) {
  sched::ScheduleOptions so;
  so.strategy = program.header.strategy == prog::Strategy::kPct ? "pct" : "random";
  so.seed = program.header.seed;
  so.pct_depth = program.header.pct_depth;
  // PCT's k, the number of decisions change points are drawn from: estimated from the program
  // (kPctDecisionsPerOp per operation), not a fixed 500. Fuzzed programs make a median of
  // about 3 decisions per operation (27 for a whole multi-thread program, 3 in 4 under 100;
  // HVFUZZ_RUN_STATS=1, docs/fuzzing.md), so with k = 500 most change points fell after the
  // end of the run and PCT ran the tasks one after another by priority.
  so.pct_steps = std::max<uint64_t>(1, kPctDecisionsPerOp * static_cast<uint64_t>(program.num_ops()));
  so.schedule_bytes = program.schedule;
  so.max_steps = options.max_steps;
  return so;
}

std::string StrategyLine(const prog::Program& program, Backend backend) {
  if (backend == Backend::kFreeRunning) return "free-running";
  std::string s = prog::StrategyName(program.header.strategy);
  if (program.header.strategy == prog::Strategy::kPct) {
    s += " depth=" + std::to_string(program.header.pct_depth);
  }
  return s;
}

template <class Runtime>
void SpawnThreads(Runtime& runtime, model::World& world, const prog::Program& program) {
  for (size_t i = 0; i < program.threads.size(); ++i) {
    const std::vector<model::OpCall>& ops = program.threads[i];
    runtime.Spawn("t" + std::to_string(i), [&world, &ops] {
      for (const model::OpCall& call : ops) model::Execute(world, call);
    });
  }
}

}  // namespace

RunResult RunOne(const prog::Program& program, const RunOptions& options) {
  model::World world(program.header.shape, options.bugs, program.header.fault);
  const bool threaded = options.backend == Backend::kFreeRunning;
  check::InterleavingRecorder recorder(
      check::InterleavingRecorder::kDefaultCapacity,
      threaded ? check::InterleavingRecorder::Concurrency::kThreaded
               : check::InterleavingRecorder::Concurrency::kSerialized);
  check::LockOrderValidator validator(
      check::LockOrderValidator::Options{options.validate, options.leak_check});
  sync::ObserverList observers;
  if (options.record_interleaving) observers.Add(&recorder);
  if (options.feedback != nullptr && !threaded) observers.Add(options.feedback);
  observers.Add(&validator);

  RunResult result;
  std::vector<check::TaskSnapshot> snapshot_at_finding;
  sched::RunOutcome outcome;
  if (threaded) {
    sched::FreeRunningRuntime runtime(sched::FreeRunningOptions{});
    SpawnThreads(runtime, world, program);
    validator.set_on_finding([&] {
      recorder.Freeze();  // the threads run on until each sees the stop
      runtime.RequestStop();
    });
    sched::LockedObserver locked(observers);
    outcome = runtime.Run(locked);
  } else {
    sched::ControlledScheduler scheduler(ScheduleFor(program, options));
    SpawnThreads(scheduler, world, program);
    validator.set_on_finding([&] {
      if (options.record_interleaving) {
        snapshot_at_finding = check::SnapshotTasks(scheduler.TaskStates());
      }
      // The finding's task runs on to its next scheduling point: what it does there did not
      // lead to the finding.
      recorder.Freeze();
      scheduler.RequestStop();
    });
    outcome = scheduler.Run(observers);
    result.trace = scheduler.trace().decisions;
  }

  result.status = outcome.status;
  result.steps = outcome.steps;
  if (validator.finding().has_value()) {
    result.finding = *validator.finding();
    result.finding->tasks = std::move(snapshot_at_finding);
  } else if (outcome.finding.has_value()) {
    result.finding = std::move(outcome.finding);
  }
  if (result.finding.has_value()) {
    if (options.record_interleaving) {
      check::AttachInterleaving(*result.finding, recorder.Steps());
    }
    result.finding->replay.seed = program.header.seed;
    result.finding->replay.strategy = StrategyLine(program, options.backend);
  }
  return result;
}

}  // namespace hvfuzz::exec
