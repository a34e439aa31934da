// SPDX-License-Identifier: Apache-2.0
// Pictures of a Finding for people who would rather look than read (DESIGN.md, Reports):
//   LockGraphDot   the lock dependency cycle as Graphviz DOT: one node per lock class, one edge
//                  per Dependency ("to taken while from held"; for a deadlock, "holds from,
//                  waits for to") labelled with task, step and site; the closing edge in red.
//                  Without a cycle (leaks, sleep-in-atomic, ...) it draws what the triggering
//                  task held, in order, and what it acquired last.
//   SwimlaneSvg    the interleaving as a swimlane: one column per task, one row per recorded
//                  step, blocking steps in red. Self-contained SVG (no scripts, no fonts
//                  beyond "monospace"), so a browser opens it from disk.
//
// Contract: pure functions of the Finding: byte-identical output for equal findings (golden
// tests in triage/testdata/). No I/O. Safe from any thread. Cost linear in the finding.
#pragma once

#include <string>
#include <string_view>

#include "fuzz/check/finding.h"

namespace hvfuzz::triage {

std::string LockGraphDot(const check::Finding& finding);
std::string SwimlaneSvg(const check::Finding& finding);

// Escapes &, <, >, " for HTML/SVG text and attributes.
std::string HtmlEscape(std::string_view s);

}  // namespace hvfuzz::triage
