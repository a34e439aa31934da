// SPDX-License-Identifier: Apache-2.0
// TriageRun: `./hvfuzz triage PATH...` as a library call. For every crash file under the paths
// (crash_file.h): reproduce it deterministically (reproduce.h), bucket it by signature
// (bucket.h), then per bucket minimize the representative keeping the signature (and drop
// the bug switches it does not need), replay the
// minimized program `identity_runs` times checking the report is byte-identical, and write
// into <out_dir>/<bucket key>/:
//   report.txt, report.json      the minimized program's report (text and JSON)
//   program.hvp                  the minimized program (canonical text)
//   original.hvp                 the representative before minimization
//   original-report.txt          its report
//   lock-graph.dot (+ .svg)      the lock dependency cycle (SVG when Graphviz `dot` is on PATH)
//   interleaving.svg             the swimlane of the minimized run
//   bucket.txt                   key=value record read by `./hvfuzz promote` (members too)
// and <out_dir>/index.html listing every bucket (members, engines, original vs minimized
// size, links) and every crash that did not reproduce or did not load, none dropped.
//
// Never overwrites or deletes: out_dir must not exist (it is created, with the kRunMarker
// file); every file is created exclusively. Deterministic for a given set of inputs.
#pragma once

#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "triage/reproduce.h"

namespace hvfuzz::triage {

struct TriageOptions {
  std::vector<std::string> paths;
  std::string out_dir;
  std::string target;                             // --target, or empty
  std::optional<std::vector<std::string>> bugs;   // --bug (repeatable), or unset
  ReproduceOptions reproduce;
  int identity_runs = 100;                        // replays of each minimized program
};

struct TriageSummary {
  int crash_files = 0;
  int buckets = 0;
  int not_reproducible = 0;
  int bad_inputs = 0;
};

// Runs triage. Returns false with `error` set on a usage-level problem (out_dir exists, no
// crash files, unknown bug switch); per-file problems go into the index instead. Progress and
// the per-bucket summary lines go to `log` (one line each).
bool TriageRun(const TriageOptions& options, TriageSummary* summary, std::string* error,
               std::FILE* log);

}  // namespace hvfuzz::triage
