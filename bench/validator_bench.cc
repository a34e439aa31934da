// SPDX-License-Identifier: Apache-2.0
// LockOrderValidator cost per acquisition (the target: <= 100 ns warm with ~3 locks held).
//  - WarmObserverAcquire/N: acquire+release of one lock with N locks held, through the
//    SyncObserver interface as the primitives call it; the chain is cached after the first
//    iteration, so this is the validator's steady state in a long run on a warm graph.
//  - WarmMutexLockUnlock3Held: the same through Mutex::Lock/Unlock on SingleTaskRuntime, with
//    the validator (true) and, for comparison, with an observer that does nothing (false).
//  - ColdGraph: a fresh validator per iteration replaying 64 nested acquisitions over 12
//    classes: every chain and dependency is new at first (fuzzing: one graph per execution).
#include <array>
#include <memory>
#include <random>
#include <vector>

#include "benchmark/benchmark.h"
#include "fuzz/check/lock_order_validator.h"
#include "model/sync/mutex.h"
#include "model/sync/single_task_runtime.h"

namespace hvfuzz::check {
namespace {

using sync::HeldLock;
using sync::LockClass;
using sync::LockKind;
using sync::Mutex;

constexpr int kClasses = 12;

const std::array<LockClass, kClasses>& Classes() {
  static const std::array<LockClass, kClasses> classes = {
      LockClass{"bench0", LockKind::kMutex},  LockClass{"bench1", LockKind::kMutex},
      LockClass{"bench2", LockKind::kMutex},  LockClass{"bench3", LockKind::kRwSemaphore},
      LockClass{"bench4", LockKind::kMutex},  LockClass{"bench5", LockKind::kSrcu},
      LockClass{"bench6", LockKind::kMutex},  LockClass{"bench7", LockKind::kMutex},
      LockClass{"bench8", LockKind::kMutex},  LockClass{"bench9", LockKind::kMutex},
      LockClass{"bench10", LockKind::kMutex}, LockClass{"bench11", LockKind::kMutex}};
  return classes;
}

std::vector<std::unique_ptr<Mutex>> MakeLocks(int n) {
  std::vector<std::unique_ptr<Mutex>> locks;
  locks.reserve(n);
  for (int i = 0; i < n; ++i) locks.push_back(std::make_unique<Mutex>(Classes()[i]));
  return locks;
}

HeldLock Entry(const Mutex& m, int line) {
  HeldLock h;
  h.lock = &m;
  h.site = sync::Site{"bench/validator_bench.cc", line};
  return h;
}

void WarmObserverAcquire(benchmark::State& state) {
  const int held = static_cast<int>(state.range(0));
  LockOrderValidator validator;
  sync::SingleTaskRuntime rt(validator);
  sync::Task& task = rt.task();
  sync::SyncObserver& observer = task.observer();
  auto locks = MakeLocks(held + 1);
  for (int i = 0; i < held; ++i) task.held().Push(Entry(*locks[i], i));
  const HeldLock acquiring = Entry(*locks[held], 100);
  for (auto _ : state) {
    observer.OnAcquire(task, acquiring);
    task.held().Push(acquiring);
    observer.OnAcquired(task, acquiring);
    task.held().Remove(acquiring.lock);
    observer.OnRelease(task, acquiring, acquiring.site);
  }
  if (validator.has_finding()) state.SkipWithError("unexpected finding");
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(WarmObserverAcquire)->Arg(0)->Arg(1)->Arg(3)->Arg(8);

template <bool kValidate>
void WarmMutexLockUnlock3Held(benchmark::State& state) {
  LockOrderValidator validator;
  sync::SyncObserver nothing;
  sync::SingleTaskRuntime rt(kValidate ? static_cast<sync::SyncObserver&>(validator) : nothing);
  Mutex a(Classes()[0]), b(Classes()[1]), c(Classes()[2]), m(Classes()[4]);
  a.Lock();
  b.Lock();
  c.Lock();
  for (auto _ : state) {
    m.Lock();
    m.Unlock();
  }
  c.Unlock();
  b.Unlock();
  a.Unlock();
  if (validator.has_finding()) state.SkipWithError("unexpected finding");
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK_TEMPLATE(WarmMutexLockUnlock3Held, true);
BENCHMARK_TEMPLATE(WarmMutexLockUnlock3Held, false);

void ColdGraph(benchmark::State& state) {
  constexpr int kAcquisitions = 64;
  auto locks = MakeLocks(kClasses);
  // Nested chains in increasing class order (a consistent order: no finding), depth 1..4.
  std::mt19937 rng(7);
  std::vector<std::vector<int>> chains;
  for (int total = 0; total < kAcquisitions;) {
    std::vector<int> chain;
    for (int c = static_cast<int>(rng() % 4); c < kClasses && chain.size() < 4;
         c += 1 + static_cast<int>(rng() % 4)) {
      chain.push_back(c);
    }
    total += static_cast<int>(chain.size());
    chains.push_back(std::move(chain));
  }
  int acquisitions = 0;
  for (const auto& chain : chains) acquisitions += static_cast<int>(chain.size());
  for (auto _ : state) {
    LockOrderValidator validator;
    sync::SingleTaskRuntime rt(validator);
    sync::Task& task = rt.task();
    for (const auto& chain : chains) {
      for (int c : chain) {
        HeldLock h = Entry(*locks[c], c);
        validator.OnAcquire(task, h);
        task.held().Push(h);
      }
      task.held().Clear();
    }
    if (validator.has_finding()) state.SkipWithError("unexpected finding");
    benchmark::DoNotOptimize(validator.dependencies().size());
  }
  state.SetItemsProcessed(state.iterations() * acquisitions);
}
BENCHMARK(ColdGraph);

}  // namespace
}  // namespace hvfuzz::check
