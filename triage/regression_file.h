// SPDX-License-Identifier: Apache-2.0
// Regression file: a promoted finding in tests/regressions/<name>.hvp (STYLE.md G16, as text so
// that one data-driven GoogleTest replays every file). It is an ordinary program text (so
// `./hvfuzz replay` runs it as is) whose comment lines starting "#@ " carry the expectation:
//
//   # hvfuzz-prog v1
//   #@ hvfuzz regression v1 -- written by ./hvfuzz promote (hvfuzz_triage_tool); may be edited by hand
//   #@ name: xen-evtchn-kvm-lock
//   #@ bugs: xen-evtchn-kvm-lock
//   #@ expect-kind: lock-order-cycle
//   #@ expect-title: lock-order-cycle in kvm_xen_set_evtchn
//   #@ expect-signature: lock-order-cycle|&kvm->lock,...|kvm_xen_set_evtchn
//   #@ source: findings/xen/crash-5d0c...        (the crash file it was triaged from)
//   #@ corpus: corpus/regressions/xen/crash-5d0c...
//   #@ minimized: 14 ops, 3 threads -> 3 ops, 1 thread
//   # threads: 1
//   ...                                          (the canonical program, SYNTAX.md)
//
// The test: with `bugs` on, RunOne gives a finding of kind `expect-kind` whose Signature() is
// `expect-signature`; with every switch off, RunOne gives no finding (the fixed model is clean).
// Keys are a contract with every stored file; unknown "#@ key:" lines are an error (typos must
// not silently weaken a test). `bugs` may be empty (a finding on the clean model: then only the
// first half applies, and the file says so with "expect-clean-without-bugs: no").
//
// Contract: pure functions, no I/O; errors are "file:line:col: message" (G19).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz/prog/program.h"

namespace hvfuzz::triage {

struct Regression {
  std::string name;
  std::vector<std::string> bugs;
  std::string kind;       // FindingKindName
  std::string title;      // optional in files (informational)
  std::string signature;
  std::string source;     // optional
  std::string corpus;     // optional
  std::string minimized;  // optional ("14 ops, 3 threads -> 3 ops, 1 thread")
  bool clean_without_bugs = true;
  prog::Program program;
};

// The file text described above, ending in a newline.
std::string FormatRegression(const Regression& r);

struct RegressionParse {
  std::optional<Regression> regression;
  std::string error;  // "file:line:col: message" when !regression
};

RegressionParse ParseRegression(std::string_view text, std::string_view filename);

}  // namespace hvfuzz::triage
