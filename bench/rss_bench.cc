// SPDX-License-Identifier: Apache-2.0
// Peak RSS across many executions must stay flat: a fuzz target runs millions of inputs in one
// process, so anything RunOne leaks per execution (or any cache that grows with inputs) ends
// the campaign. RssFlat/N runs N executions of exec::RunOne, as a fuzz target does (decode,
// validator, lock-order feedback, interleaving recorded), over a mix of inputs: 4-thread
// programs of 32 operations and smaller ones on the fixed model, and every 8th run with one
// bug switch on so that findings (reports, interleavings, snapshots) are built and dropped too.
// Counters: peak RSS (getrusage) after 10k, 100k and 1M executions (as far as N goes), in MiB,
// and the growth from 10k to N. The benchmark fails (SkipWithError) if the growth exceeds
// 2 MiB + 2% of the RSS at 10k.
#include <benchmark/benchmark.h>
#include <sys/resource.h>

#include <cstdint>
#include <string>
#include <vector>

#include "bench/exec_programs.h"
#include "fuzz/exec/feedback.h"
#include "fuzz/exec/options.h"
#include "fuzz/exec/run_one.h"
#include "fuzz/prog/binary_codec.h"
#include "model/bug_switches.h"

namespace hvfuzz::bench {
namespace {

double PeakRssMiB() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB on Linux
}

void RssFlat(benchmark::State& state) {
  const int64_t total = state.range(0);
  std::vector<std::vector<uint8_t>> inputs = Encoded(BenchPrograms(48, 4, 8, 7));
  for (auto& in : Encoded(BenchPrograms(16, 2, 16, 8))) inputs.push_back(std::move(in));
  for (auto& in : Encoded(BenchPrograms(16, 4, 32, 9))) inputs.push_back(std::move(in));
  exec::LockOrderFeedback feedback;
  static uint8_t counters[1 << 14];
  feedback.SetCounters(counters, sizeof(counters), exec::Options().feedback);  // the default mode
  std::vector<model::BugSwitches> switches(model::kNumBugSwitches + 1);
  for (int i = 0; i < model::kNumBugSwitches; ++i) {
    switches[i + 1].Set(static_cast<model::BugSwitch>(i), true);
  }
  double at_10k = 0;
  uint64_t findings = 0;
  for (auto _ : state) {
    for (int64_t n = 1; n <= total; ++n) {
      exec::RunOptions options;
      options.feedback = &feedback;
      if (n % 8 == 0) options.bugs = switches[1 + (n / 8) % model::kNumBugSwitches];
      feedback.ResetRun();
      exec::RunResult r = exec::RunOne(prog::Decode(inputs[n % inputs.size()]), options);
      findings += r.finding.has_value();
      if (n == 10'000) at_10k = state.counters["rss_MiB_10k"] = PeakRssMiB();
      if (n == 100'000) state.counters["rss_MiB_100k"] = PeakRssMiB();
      if (n == 1'000'000) state.counters["rss_MiB_1M"] = PeakRssMiB();
    }
  }
  const double end = PeakRssMiB();
  state.counters["rss_MiB_end"] = end;
  state.counters["growth_MiB"] = end - at_10k;
  state.counters["findings"] = static_cast<double>(findings);
  state.counters["exec/s"] = benchmark::Counter(static_cast<double>(total),
                                                benchmark::Counter::kIsRate);
  if (total >= 10'000 && end - at_10k > 2.0 + 0.02 * at_10k) {
    state.SkipWithError(("peak RSS grew from " + std::to_string(at_10k) + " MiB at 10k to " +
                         std::to_string(end) + " MiB: a per-execution leak")
                            .c_str());
  }
}
BENCHMARK(RssFlat)->Arg(100'000)->Arg(1'000'000)->Iterations(1)->Unit(benchmark::kSecond);

}  // namespace
}  // namespace hvfuzz::bench
