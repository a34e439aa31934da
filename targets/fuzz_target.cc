// SPDX-License-Identifier: Apache-2.0
#include "targets/fuzz_target.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <set>
#include <optional>
#include <string>

#include "fuzz/check/report.h"
#include "fuzz/exec/feedback.h"
#include "fuzz/exec/options.h"
#include "fuzz/exec/run_one.h"
#include "fuzz/prog/binary_codec.h"
#include "fuzz/prog/op_set.h"
#include "fuzz/prog/text_codec.h"

// libFuzzer reads this section as extra coverage counters after every input; the replayer
// ignores it, and AFL++ builds use its edge map instead (below). The lock-order features of
// exec::LockOrderFeedback land here.
// (In a linkage block, so that this is a definition, not a declaration.)
extern "C" {
__attribute__((section("__libfuzzer_extra_counters"))) uint8_t hvfuzz_extra_counters[1 << 14];
}

#if defined(__AFL_COMPILER)
// AFL++ has no extra-counters section: the features go into its edge map instead, through a
// guard array its runtime numbers like any instrumented module's (SanitizerCoverage's
// trace-pc-guard init, which AFL++ implements by handing out map indices). The numbering must
// happen before AFL++'s own constructors (priority 3, afl-compiler-rt) size the shared map
// from the last index handed out, so this constructor runs at priority 1; a later one would
// get indices past the end of the map afl-fuzz allocated.
// (The map pointer itself is not named here: AFL++'s instrumentation pass declares it in every
// module it instruments and would rename a second declaration to an undefined symbol.)
extern "C" {
void __sanitizer_cov_trace_pc_guard_init(uint32_t* start, uint32_t* stop);
void __sanitizer_cov_trace_pc_guard(uint32_t* guard);
}
namespace {
uint32_t g_afl_feature_slots[1 << 14];
#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Wunknown-warning-option"
#pragma clang diagnostic ignored "-Wprio-ctor-dtor"
__attribute__((constructor(1))) void NumberAflFeatureSlots() {
  __sanitizer_cov_trace_pc_guard_init(std::begin(g_afl_feature_slots),
                                      std::end(g_afl_feature_slots));
}
#pragma clang diagnostic pop
}  // namespace
#endif

namespace hvfuzz::targets {
namespace {

bool g_replay_mode = false;
std::string* g_replay_file = new std::string;  // leaked on purpose: used until exit

struct TargetState {
  exec::Options options;
  std::set<std::string> known_signatures;  // from options.known_file
  exec::LockOrderFeedback feedback;
  uint64_t execs = 0;
  uint64_t findings = 0;
  std::chrono::steady_clock::time_point last_status = std::chrono::steady_clock::now();
};

TargetState& State() {
  static TargetState* state = [] {
    auto* s = new TargetState;
    std::string error;
    if (!exec::OptionsFromEnvironment(&s->options, &error)) {
      std::fprintf(stderr, "hvfuzz: %s\n", error.c_str());
      std::exit(2);
    }
#if defined(__AFL_COMPILER)
    s->feedback.SetSlotMap(__sanitizer_cov_trace_pc_guard, g_afl_feature_slots,
                           std::size(g_afl_feature_slots), s->options.feedback);
#else
    s->feedback.SetCounters(hvfuzz_extra_counters, sizeof(hvfuzz_extra_counters),
                            s->options.feedback);
#endif
    if (!s->options.known_file.empty()) {
      std::ifstream in(s->options.known_file);
      for (std::string line; std::getline(in, line);) s->known_signatures.insert(line);
    }
    return s;
  }();
  return *state;
}

void MaybePrintStatus(TargetState& s) {
  if (!s.options.status || (s.execs & 1023) != 0) return;
  auto now = std::chrono::steady_clock::now();
  if (now - s.last_status < std::chrono::seconds(1)) return;
  s.last_status = now;
  if (s.options.backend == exec::Backend::kFreeRunning) {
    // Real threads give no lock-order feedback (RunOne attaches it to fibers only).
    std::fprintf(stderr, "hvfuzz-status: execs=%llu\n", static_cast<unsigned long long>(s.execs));
    return;
  }
  std::fprintf(stderr, "hvfuzz-status: execs=%llu lock-order-edges=%zu\n",
               static_cast<unsigned long long>(s.execs), s.feedback.edges_seen());
}

int Run(const prog::Program& program) {
  TargetState& s = State();
  exec::RunOptions ro;
  ro.bugs = s.options.bugs;
  ro.backend = s.options.backend;
  ro.validate = s.options.validate;
  ro.max_steps = s.options.max_steps;
  // Always observed (the status line counts lock-order edges); it writes coverage counters
  // only with HVFUZZ_FEEDBACK=1 or handover (SetCounters above).
  ro.feedback = &s.feedback;
  s.feedback.ResetRun();
  exec::RunResult r = exec::RunOne(program, ro);
  ++s.execs;
  if (g_replay_mode && s.options.run_stats) {
    std::fprintf(stderr, "hvfuzz-run-stats: threads=%zu ops=%d decisions=%zu steps=%llu\n",
                 program.threads.size(), program.num_ops(), r.trace.size(),
                 static_cast<unsigned long long>(r.steps));
  }
  MaybePrintStatus(s);
  if (!r.finding.has_value()) return 0;
  if (!s.options.known_file.empty() && !g_replay_mode) {
    // A session that goes on past findings crashes once per signature (syzkaller's rule for
    // known bugs): the restarted fuzzer keeps exploring instead of re-finding the same bug.
    std::string signature = r.finding->Signature();
    if (s.known_signatures.count(signature) != 0) return 0;
    std::ofstream(s.options.known_file, std::ios::app) << signature << "\n";
  }
  r.finding->replay.program_text = prog::Print(program);
  r.finding->replay.crash_file = *g_replay_file;
  std::string report = check::RenderText(*r.finding);
  // With every bug switch off (always on OSS-Fuzz) the model is current upstream KVM: say so.
  if (!s.options.bugs.any()) {
    std::fputs("hvfuzz: no bug switch is on, so this finding is news: a model error or a real "
               "upstream KVM locking problem (docs/campaigns.md)\n", stderr);
  }
  std::fputs(report.c_str(), stderr);
  std::fflush(stderr);
  if (g_replay_mode) std::exit(1);
#if defined(HVFUZZ_TSAN)
  // Under TSan, abort() runs libFuzzer's deadly-signal handler, which allocates inside the
  // signal handler: TSan reports that ("signal-unsafe call inside of a signal") and can hang
  // the process. An exit from inside the target is a crash to libFuzzer as well (it saves the
  // input: "fuzz target exited"); AFL++ is never built with TSan (docs/toolchain.md §4).
  std::exit(1);
#else
  std::abort();
#endif
}

}  // namespace

void SetReplayMode(bool on) { g_replay_mode = on; }
void SetReplayFile(std::string_view path) { g_replay_file->assign(path); }

int RunInput(std::string_view slice, const uint8_t* data, size_t size) {
  // The slice is fixed per binary: resolve it once.
  static const prog::DecodeOptions options = [slice] {
    std::optional<prog::OpSet> ops = prog::OpSet::ForSlices(slice);
    if (!ops.has_value()) {
      std::fprintf(stderr, "hvfuzz: internal error: unknown model slice '%.*s'\n",
                   static_cast<int>(slice.size()), slice.data());
      std::abort();
    }
    return prog::DecodeOptions{*ops};
  }();
  return Run(prog::Decode({data, size}, options));
}

int RunTextInput(std::string_view slice, std::string_view text, std::string_view filename) {
  prog::ParseResult parsed = prog::Parse(text, prog::ParseMode::kStrict, filename);
  if (!parsed.ok()) {
    std::fprintf(stderr, "%s\n", parsed.error->ToString().c_str());
    std::exit(2);
  }
  return Run(*parsed.program);
}

}  // namespace hvfuzz::targets
