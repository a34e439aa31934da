// SPDX-License-Identifier: Apache-2.0
// naive_stress: mode (d) of the time-to-bug bench, the harness a user would write instead of
// hvfuzz. A loop that runs random operation sequences of one model slice on real threads, as a
// kernel stress test runs random ioctls from several threads:
//   - programs: 1..4 threads of 1..16 operations, operations uniform over the slice, arguments
//     uniform over their ranges, a uniform model shape and a uniform fault-injection byte
//     (the same program space the fuzzers decode, drawn without coverage guidance);
//   - execution: exec::RunOne on the free-running backend (one std::thread per program thread,
//     real blocking, the wall-clock watchdog: 1 s of silence while a task waits is a hang);
//   - detectors: no lockdep-style validator and no leak-at-return check (RunOptions validate
//     and leak_check off); the model's own invariants (its WARN_ON/KVM_BUG_ON) stay, and, in
//     the TSan tree with TSAN_OPTIONS=detect_deadlocks=1, TSan's lock-order-inversion and
//     data-race reports (TSan exits the process at its first report with halt_on_error=1).
//
// usage: naive_stress --slice memslots|mmu|gpc|xen|global|vm [--seed N] [--time SECONDS]
// Bug switches: HVFUZZ_BUGS (exec/options.def), as for the fuzz targets.
// Output (stderr): "naive-status: execs=N elapsed=S" about once a second; on an hvfuzz finding
// its report and "naive-finding: <kind> after <S> s execs=N", exit 1. Time up with nothing
// found: "naive-done: execs=N elapsed=S", exit 0. Usage errors: exit 2.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz/check/report.h"
#include "fuzz/exec/options.h"
#include "fuzz/exec/run_one.h"
#include "fuzz/prog/op_set.h"
#include "fuzz/prog/program.h"
#include "fuzz/prog/shape_fields.h"
#include "fuzz/prog/text_codec.h"
#include "model/operations.h"

namespace hvfuzz::bench {
namespace {

constexpr int kMaxOpsPerThread = 16;

uint32_t Uniform(std::mt19937_64& rng, uint32_t min, uint32_t max) {
  return static_cast<uint32_t>(min + rng() % (uint64_t{max} - min + 1));
}

prog::Program RandomProgram(std::mt19937_64& rng, const std::vector<uint16_t>& ops) {
  prog::Program p;
  for (const prog::ShapeField& field : prog::ShapeFields()) {
    field.set(p.header.shape, Uniform(rng, field.min, field.max));
  }
  p.header.fault.fail_nth = Uniform(rng, 0, prog::kMaxFailNth);
  p.header.strategy = prog::Strategy::kRandom;  // unused by real threads
  p.header.seed = rng();
  const auto specs = model::Operations();
  p.threads.assign(Uniform(rng, 1, prog::kMaxThreads), {});
  for (auto& thread : p.threads) {
    thread.resize(Uniform(rng, 1, kMaxOpsPerThread));
    for (model::OpCall& call : thread) {
      call.op = ops[rng() % ops.size()];
      for (int a = 0; a < specs[call.op].nargs; ++a) {
        call.args[a] = Uniform(rng, 0, specs[call.op].args[a].max);
      }
    }
  }
  return p;
}

int Usage(const char* why) {
  std::fprintf(stderr,
               "naive_stress: %s\nusage: naive_stress --slice memslots|mmu|gpc|xen|global|vm "
               "[--seed N] [--time SECONDS]\n",
               why);
  return 2;
}

int Main(int argc, char** argv) {
  std::string slice;
  uint64_t seed = 1;
  double seconds = 60;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (i + 1 >= argc) return Usage(("missing value after " + std::string(arg)).c_str());
    const char* value = argv[++i];
    char* end = nullptr;
    if (arg == "--slice") {
      slice = value;
    } else if (arg == "--seed") {
      seed = std::strtoull(value, &end, 0);
      if (*end != '\0') return Usage("--seed needs a number");
    } else if (arg == "--time") {
      seconds = std::strtod(value, &end);
      if (*end != '\0' || seconds <= 0) return Usage("--time needs a positive number");
    } else {
      return Usage(("unknown option " + std::string(arg)).c_str());
    }
  }
  if (slice.empty()) return Usage("--slice is required");
  std::optional<prog::OpSet> set = prog::OpSet::ForSlices(slice);
  if (!set.has_value()) return Usage(("unknown slice '" + slice + "'").c_str());
  std::vector<uint16_t> ops;
  for (uint16_t op = 0; op < model::Operations().size(); ++op) {
    if (set->Contains(op)) ops.push_back(op);
  }
  exec::Options env;
  std::string error;
  if (!exec::OptionsFromEnvironment(&env, &error)) {
    std::fprintf(stderr, "naive_stress: %s\n", error.c_str());
    return 2;
  }

  exec::RunOptions options;
  options.backend = exec::Backend::kFreeRunning;
  options.bugs = env.bugs;
  options.validate = false;
  options.leak_check = false;
  std::mt19937_64 rng(seed);
  const auto start = std::chrono::steady_clock::now();
  auto last_status = start;
  uint64_t execs = 0;
  auto elapsed = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  while (elapsed() < seconds) {
    const prog::Program program = RandomProgram(rng, ops);
    exec::RunResult result = exec::RunOne(program, options);
    ++execs;
    if (result.finding.has_value()) {
      result.finding->replay.program_text = prog::Print(program);
      std::fputs(check::RenderText(*result.finding).c_str(), stderr);
      std::fprintf(stderr, "naive-finding: %s after %.3f s execs=%llu\n",
                   std::string(check::FindingKindName(result.finding->kind)).c_str(), elapsed(),
                   static_cast<unsigned long long>(execs));
      return 1;
    }
    const auto now = std::chrono::steady_clock::now();
    if (now - last_status >= std::chrono::seconds(1)) {
      last_status = now;
      std::fprintf(stderr, "naive-status: execs=%llu elapsed=%.3f\n",
                   static_cast<unsigned long long>(execs), elapsed());
    }
  }
  std::fprintf(stderr, "naive-done: execs=%llu elapsed=%.3f\n",
               static_cast<unsigned long long>(execs), elapsed());
  return 0;
}

}  // namespace
}  // namespace hvfuzz::bench

int main(int argc, char** argv) { return hvfuzz::bench::Main(argc, argv); }
