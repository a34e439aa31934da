// SPDX-License-Identifier: Apache-2.0
// CrashFile: one input that triage replays, and where it came from. FindCrashFiles walks the
// paths given to `./hvfuzz triage` and picks the files that are crash inputs:
//   libFuzzer artifacts   crash-*, leak-*, timeout-*, oom-*, slow-unit-* (any directory)
//   AFL++ crashes         <out>/<instance>/crashes/id:*  (README.txt and everything else of an
//                         AFL++ output directory: queue/, hangs/, stats, bitmaps are skipped)
//   our findings          findings/<target>/<name>, the crash files of ./hvfuzz fuzz sessions
//                         (their <name>.txt report and <name>.session record are skipped)
//   text programs         *.hvp anywhere
// A file named explicitly on the command line is always taken. Directories holding a triage
// run (marked by kRunMarker) are never entered, so triaging `findings/` twice is stable.
//
// The session record `<crash>.session` (written by targets/fuzz_session.sh beside each crash
// it collects) holds `key=value` lines: target, engine, backend, bugs. Triage takes the bug
// switches and the target slice from it unless the command line says otherwise.
//
// Contract: reads the file system, never writes it. Results are sorted by path, so a run is
// deterministic for a given tree. Not thread-safe (no internal locking; no shared state).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz/prog/program.h"

namespace hvfuzz::triage {

// Marker file at the top of each triage run directory.
inline constexpr std::string_view kRunMarker = ".hvfuzz-triage-run";

struct CrashFile {
  std::string path;
  std::string engine;   // "libfuzzer", "afl", "text", or the session record's engine
  std::string target;   // model slice the binary form decodes by: memslots|mmu|gpc|xen|global|vm
  std::string backend;  // "controlled" or "free" (a --tsan session); from the session record
  std::vector<std::string> bugs;  // bug switches the session ran with
  bool bugs_known = false;        // true when `bugs` came from a session record or --bug
  std::string expected_title;     // the SUMMARY title of the report beside it, if any
};

// Every crash input under `paths` (files or directories), sorted by path. A path that does not
// exist, or is a triage run folder, is reported in `errors` ("PATH: no such file or directory")
// and skipped.
std::vector<std::string> FindCrashFiles(const std::vector<std::string>& paths,
                                        std::vector<std::string>* errors);

// True when `path` names a crash input by the rules above (used by FindCrashFiles).
bool LooksLikeCrashFile(std::string_view path);

// Describes `path`: engine by its name and place, target from `target_override`, else the
// session record, else a findings/<target>/ or sessions/<target>-* component, else "vm";
// bugs from `bugs_override` when set, else the session record.
CrashFile DescribeCrashFile(const std::string& path, const std::string& target_override,
                            const std::optional<std::vector<std::string>>& bugs_override);

// The program a crash file holds: text (starts with "# hvfuzz-prog") parsed strictly, else the
// bytes decoded by the target's slice. On bad text, nullopt and `error` = "file:line:col: ...".
std::optional<prog::Program> LoadProgram(const CrashFile& crash, std::string* error);

}  // namespace hvfuzz::triage
