// SPDX-License-Identifier: Apache-2.0
// What one fuzzer execution costs: decode + exec::RunOne on typical program sizes, controlled
// backend, as a fuzz target runs it (validator on, interleaving recorded, lock-order feedback
// attached). Counters: exec/s (executions per second) and ns/op (per model operation).
//   - Decode/T/N:            binary decode only (T threads x N ops per thread)
//   - RunOne/T/N:            RunOne on already decoded programs
//   - DecodeRunOne/T/N:      both, which is what one libFuzzer/AFL++ execution does
//   - RunOneNoValidator/4/8: mode (c) of the time-to-bug bench (HVFUZZ_VALIDATE=0)
// Goal (issue 8): >= 20,000 exec/s on 4 threads x 8 ops (a 32-operation program), no TSan.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <vector>

#include "bench/exec_programs.h"
#include "fuzz/exec/feedback.h"
#include "fuzz/exec/options.h"
#include "fuzz/exec/run_one.h"
#include "fuzz/prog/binary_codec.h"

namespace hvfuzz::bench {
namespace {

constexpr int kPrograms = 64;

void SetCounters(benchmark::State& state, int ops_per_exec) {
  state.counters["exec/s"] = benchmark::Counter(static_cast<double>(state.iterations()),
                                                benchmark::Counter::kIsRate);
  state.counters["ns/op"] = benchmark::Counter(
      static_cast<double>(state.iterations()) * ops_per_exec * 1e-9,
      benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  state.SetItemsProcessed(state.iterations() * ops_per_exec);
}

void Decode(benchmark::State& state) {
  const int threads = static_cast<int>(state.range(0));
  const int ops = static_cast<int>(state.range(1));
  const auto inputs = Encoded(BenchPrograms(kPrograms, threads, ops));
  size_t i = 0;
  for (auto _ : state) {
    prog::Program p = prog::Decode(inputs[i++ % inputs.size()]);
    benchmark::DoNotOptimize(p);
  }
  SetCounters(state, threads * ops);
}
BENCHMARK(Decode)->Args({1, 4})->Args({4, 8})->Args({4, 32});

template <bool kDecode>
void Execute(benchmark::State& state, bool validate) {
  const int threads = static_cast<int>(state.range(0));
  const int ops = static_cast<int>(state.range(1));
  const auto programs = BenchPrograms(kPrograms, threads, ops);
  const auto inputs = Encoded(programs);
  exec::LockOrderFeedback feedback;
  static uint8_t counters[1 << 14];
  feedback.SetCounters(counters, sizeof(counters), exec::Options().feedback);  // the default mode
  exec::RunOptions options;
  options.validate = validate;
  options.feedback = &feedback;
  size_t i = 0;
  uint64_t findings = 0;
  for (auto _ : state) {
    const size_t k = i++ % programs.size();
    feedback.ResetRun();
    if constexpr (kDecode) {
      findings += exec::RunOne(prog::Decode(inputs[k]), options).finding.has_value();
    } else {
      findings += exec::RunOne(programs[k], options).finding.has_value();
    }
  }
  SetCounters(state, threads * ops);
  // Random programs on the fixed model should run clean; a finding here is a model bug (or a
  // step budget hit), and its cost would not be typical.
  state.counters["findings"] = static_cast<double>(findings);
}

void RunOne(benchmark::State& state) { Execute<false>(state, true); }
void DecodeRunOne(benchmark::State& state) { Execute<true>(state, true); }
void RunOneNoValidator(benchmark::State& state) { Execute<false>(state, false); }
BENCHMARK(RunOne)->Args({1, 4})->Args({2, 8})->Args({4, 8})->Args({4, 32});
BENCHMARK(DecodeRunOne)->Args({4, 8});
BENCHMARK(RunOneNoValidator)->Args({4, 8});

}  // namespace
}  // namespace hvfuzz::bench
