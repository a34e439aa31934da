// SPDX-License-Identifier: Apache-2.0
// Text codec: the canonical, stored form of a Program (STYLE.md G11; grammar in SYNTAX.md).
//
//   # hvfuzz-prog v1
//   # threads: 2
//   # seed: 0x5eed
//   # strategy: pct depth=3
//   # shape: vms=1 vcpus=2 ...
//   # fault: nth=0
//   t0 memslot.set slot=1 gfn=0x100 pages=16
//   t1 gpc.activate id=0 gpa=0x100000 len=8
//   schedule: 00 01 01
//
// Print is canonical: every header field and every argument is printed, in table order, with
// a fixed number format, so equal programs print the same bytes, and Parse(Print(p)) == p.
// Parse has two modes. kStrict (hand-written tests, regression files): the text must be
// complete and exact; the first problem is the error, positioned file:line:col. kLenient (old
// corpora written before a model change): never fails; unknown fields and lines are dropped,
// out-of-range values clamped, missing fields defaulted, and each such repair is a warning.
//
// Compatibility: op names, argument names, shape field names, strategy names and the header
// keys are a contract with every stored program (see program.h). Stateless, thread-compatible,
// no exceptions; cost linear in the text.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz/prog/program.h"

namespace hvfuzz::prog {

enum class ParseMode : uint8_t { kStrict, kLenient };

// One parse error or warning, positioned at a 1-based line and column.
struct Diagnostic {
  std::string file;
  int line = 0;
  int column = 0;
  std::string message;

  // "x.hvp:3:4: unknown operation 'memslot.sett'"
  std::string ToString() const;
};

struct ParseResult {
  std::optional<Program> program;    // set iff the parse succeeded; then it is valid
  std::optional<Diagnostic> error;   // set iff it failed (only in kStrict)
  std::vector<Diagnostic> warnings;  // kLenient: every repair made, in text order (capped)

  bool ok() const { return program.has_value(); }
};

// The canonical text of a valid program, ending in a newline.
std::string Print(const Program& p);

// Parses `text` (named `filename` in diagnostics). A successful result holds a valid program.
ParseResult Parse(std::string_view text, ParseMode mode, std::string_view filename);

}  // namespace hvfuzz::prog
