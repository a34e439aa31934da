// SPDX-License-Identifier: Apache-2.0
// What a controlled run costs: a raw context switch of each backend (asm vs boost fcontext),
// a Fiber switch (the chosen backend plus bookkeeping and, in sanitizer builds, the hooks),
// one scheduling point under the scheduler, and the fixed cost of a run.
// Goal (controlled_scheduler.h): a scheduling point <= 3x a bare fiber switch.
// Run: cmake --preset release -B build/h-sched-rel &&
//      cmake --build build/h-sched-rel --target sched_bench && build/h-sched-rel/bench/sched_bench
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "fuzz/sched/controlled_scheduler.h"
#include "fuzz/sched/fiber.h"
#include "fuzz/sched/internal/fiber_context.h"
#include "fuzz/sched/internal/fiber_stack.h"
#include "model/sync/mutex.h"
#include "model/sync/wait_event.h"

namespace hvfuzz::sched {
namespace {

// ns per switch, shown by Google Benchmark as a time ("2.5n").
benchmark::Counter PerItem(double items) {
  return benchmark::Counter(items, benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

// --- Raw backend switch. Two shapes, because the branch predictors decide the cost:
// "pingpong" (like toolchain.md §1a): the thread's stack and one context run different loops;
// "symmetric": two contexts run the same loop, as tasks under the scheduler always switch
// from the same call sites. ---
template <class Ctx>
struct Raw {
  static constexpr int kMain = 2;
  static inline void* slot[3] = {};  // contexts of fiber 0, fiber 1, the thread's stack
  static inline int64_t remaining = 0;
  static inline int parked = 0;  // the fiber that switched to the thread's stack last

  // Switches from `me` to `to`; the jumper passes its slot so fcontext can save into it.
  [[gnu::always_inline]] static void Go(int me, int to) {
    internal::Transfer r = Ctx::Jump(&slot[me], slot[to], &slot[me]);
    if constexpr (Ctx::kResumedSavesFrom) *static_cast<void**>(r.arg) = r.from_context;
  }
  [[gnu::noinline]] static void Loop(int me, int peer) {
    for (;;) {
      if (remaining > 0) {
        --remaining;
        Go(me, peer);
      } else {
        parked = me;
        Go(me, kMain);
      }
    }
  }
  template <int kMe>
  static void Start(internal::Transfer t) {
    if constexpr (Ctx::kResumedSavesFrom) *static_cast<void**>(t.arg) = t.from_context;
    Loop(kMe, 1 - kMe);
  }
};

template <class Ctx>
void BM_RawSwitch(benchmark::State& state) {
  using R = Raw<Ctx>;
  constexpr int64_t kBatch = 1000;
  const bool symmetric = state.range(0) != 0;
  internal::FiberStack stacks[2] = {internal::StackPool::ForThisThread().Acquire(),
                                    internal::StackPool::ForThisThread().Acquire()};
  R::slot[0] = Ctx::Make(stacks[0].top(), stacks[0].size, &R::template Start<0>);
  R::slot[1] = Ctx::Make(stacks[1].top(), stacks[1].size, &R::template Start<1>);
  R::parked = 0;
  if (symmetric) {
    while (state.KeepRunningBatch(kBatch)) {
      R::remaining = kBatch;
      R::Go(R::kMain, R::parked);
    }
  } else {
    // Fiber 0 and the thread's stack: each batch resumes fiber 0 once; it switches back
    // kBatch times through the thread's own loop below.
    for (auto _ : state) R::Go(R::kMain, 0);
  }
  // The contexts stay suspended; their stacks are deliberately not returned to the pool.
  state.counters["per_switch"] =
      PerItem((symmetric ? 1.0 : 2.0) * static_cast<double>(state.iterations()));
  state.SetLabel(std::string(Ctx::kName) + (symmetric ? " symmetric" : " pingpong"));
}
BENCHMARK_TEMPLATE(BM_RawSwitch, internal::AsmContext)->ArgName("symmetric")->Arg(0)->Arg(1);
#if defined(HVFUZZ_HAVE_FCONTEXT)
BENCHMARK_TEMPLATE(BM_RawSwitch, internal::FcontextContext)->ArgName("symmetric")->Arg(0)->Arg(1);
#endif

// --- Fiber switch (the Fiber class: backend plus bookkeeping), in the same two shapes:
// symmetric: two fibers run the same loop, as two scheduler tasks do (arg 1);
// pingpong: the thread's stack and one fiber run different loops (arg 0). ---
struct FiberPair {
  Fiber home;
  Fiber* fibers[2] = {};
  int64_t remaining = 0;
  int parked = 0;
  bool done = false;
};

struct FiberRole {
  FiberPair* pair;
  int me;
};

[[gnu::noinline]] Fiber& PingPong(void* arg) {
  auto [p, me] = *static_cast<FiberRole*>(arg);
  while (!p->done) {
    if (p->remaining > 0) {
      --p->remaining;
      p->fibers[me]->SwitchTo(*p->fibers[1 - me]);
    } else {
      p->parked = me;
      p->fibers[me]->SwitchTo(p->home);
    }
  }
  return p->fibers[1 - me]->finished() ? p->home : *p->fibers[1 - me];
}

void BM_BareFiberSwitch(benchmark::State& state) {
  constexpr int64_t kBatch = 1000;
  const bool symmetric = state.range(0) != 0;
  FiberPair p;
  FiberRole roles[2] = {{&p, 0}, {&p, 1}};
  Fiber a(&PingPong, &roles[0]), b(&PingPong, &roles[1]);
  p.fibers[0] = &a;
  p.fibers[1] = &b;
  if (symmetric) {
    while (state.KeepRunningBatch(kBatch)) {
      p.remaining = kBatch;
      p.home.SwitchTo(*p.fibers[p.parked]);
    }
  } else {
    for (auto _ : state) p.home.SwitchTo(a);  // a switches straight back (remaining == 0)
  }
  p.done = true;
  while (!a.finished() || (b.started() && !b.finished())) {
    p.home.SwitchTo(!a.finished() ? a : b);
  }
  state.counters["per_switch"] =
      PerItem((symmetric ? 1.0 : 2.0) * static_cast<double>(state.iterations()));
  state.SetLabel(std::string(Fiber::BackendName()) + (symmetric ? " symmetric" : " pingpong"));
}
BENCHMARK(BM_BareFiberSwitch)->ArgName("symmetric")->Arg(0)->Arg(1);

// --- Scheduling points: N tasks calling SchedulingPoint in a loop, one Run per iteration. ---
constexpr int kPointsPerTask = 5000;

void RunPoints(benchmark::State& state, const ScheduleOptions& options, int tasks) {
  uint64_t points = 0, switches = 0;
  for (auto _ : state) {
    ControlledScheduler s(options);
    for (int t = 0; t < tasks; ++t) {
      s.Spawn("t" + std::to_string(t), [&s] {
        sync::Task& self = sync::CurrentTask();
        for (int i = 0; i < kPointsPerTask; ++i) {
          s.SchedulingPoint(self, sync::SchedulingPoint::kYield);
        }
      });
    }
    sync::SyncObserver observer;
    RunOutcome r = s.Run(observer);
    points += r.steps;
    // A decision that picks another task than the one before is a switch.
    const auto& d = s.trace().decisions;
    for (size_t i = 1; i < d.size(); ++i) switches += d[i] != d[i - 1];
  }
  state.counters["per_point"] = PerItem(static_cast<double>(points));
  state.counters["switch_ratio"] =
      static_cast<double>(switches) / static_cast<double>(points ? points : 1);
}

void BM_SchedulingPoint(benchmark::State& state) {
  ScheduleOptions o;
  o.max_steps = 1u << 30;
  RunPoints(state, o, static_cast<int>(state.range(0)));
}
BENCHMARK(BM_SchedulingPoint)->Arg(2)->Arg(3)->Arg(4);

// Schedule bytes (the fuzzing mode): t0 t1 t0 t1 ... switches at every point (arg 1), or
// all zeros keeps t0 running to its end, then t1 (arg 0: the cost of a point without a switch).
void BM_SchedulingPointBytes(benchmark::State& state) {
  ScheduleOptions o;
  o.max_steps = 1u << 30;
  const bool alternate = state.range(0) != 0;
  // Decision k (after the first) is made by task k % 2 and must pick the other one: index
  // (k + 1) % 2 among the runnable {t0, t1}.
  for (int i = 0; i < 2 * kPointsPerTask + 2; ++i)
    o.schedule_bytes.push_back(alternate ? (i + 1) % 2 : 0);
  RunPoints(state, o, 2);
}
BENCHMARK(BM_SchedulingPointBytes)->ArgName("alternate")->Arg(0)->Arg(1);

// The same alternation through the replay strategy (t0 t1 t0 t1 ...).
void BM_SchedulingPointReplay(benchmark::State& state) {
  ScheduleOptions o;
  o.strategy = "replay";
  o.max_steps = 1u << 30;
  for (int i = 0; i < 2 * kPointsPerTask + 2; ++i) o.replay.push_back(i % 2);
  RunPoints(state, o, 2);
}
BENCHMARK(BM_SchedulingPointReplay);

void BM_SchedulingPointPct(benchmark::State& state) {
  ScheduleOptions o;
  o.strategy = "pct";
  o.max_steps = 1u << 30;
  RunPoints(state, o, 4);
}
BENCHMARK(BM_SchedulingPointPct);

// --- A model mutex contended by 4 tasks: lock, yield inside, unlock. ---
const sync::LockClass kBenchMutex{"bench_mutex", sync::LockKind::kMutex};

void BM_ContendedModelMutex(benchmark::State& state) {
  uint64_t points = 0;
  for (auto _ : state) {
    ControlledScheduler s(ScheduleOptions{});
    sync::Mutex m(kBenchMutex);
    for (int t = 0; t < 4; ++t) {
      s.Spawn("t" + std::to_string(t), [&m] {
        for (int i = 0; i < 500; ++i) {
          sync::MutexGuard g(m);
          sync::CondResched();
        }
      });
    }
    sync::SyncObserver observer;
    points += s.Run(observer).steps;
  }
  state.counters["per_point"] = PerItem(static_cast<double>(points));
}
BENCHMARK(BM_ContendedModelMutex);

// --- Fixed cost of a run: 4 tasks that return at once (fibers, strategy, teardown). ---
void BM_RunSetup(benchmark::State& state) {
  for (auto _ : state) {
    ControlledScheduler s(ScheduleOptions{});
    for (int t = 0; t < 4; ++t) s.Spawn("t" + std::to_string(t), [] {});
    sync::SyncObserver observer;
    benchmark::DoNotOptimize(s.Run(observer));
  }
}
BENCHMARK(BM_RunSetup);

}  // namespace
}  // namespace hvfuzz::sched
