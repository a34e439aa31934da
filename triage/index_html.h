// SPDX-License-Identifier: Apache-2.0
// The index of one triage run (index.html): what a person opens in a browser first. One row
// per bucket (title, signature, members and their engines, switches, original vs minimized
// size, whether replay was byte-identical, links to the bucket's files), then every crash file
// that did not reproduce ("not reproducible", with what was tried) or did not load ("bad
// input"): nothing is dropped.
//
// Contract: a pure function of its input (no I/O, no timestamps: golden-testable).
#pragma once

#include <string>
#include <vector>

namespace hvfuzz::triage {

struct ProgramSize {
  int threads = 0;
  int ops = 0;
  int schedule_bytes = 0;
  std::string ToString() const;  // "7 ops, 3 threads, 12 schedule bytes"
};

struct IndexMember {
  std::string path, engine, target, how;
};

struct IndexBucket {
  std::string key, kind, title, signature, bugs;
  std::vector<IndexMember> members;
  ProgramSize original, minimized;
  int identical_runs = 0, identity_runs = 0;
  bool has_svg_graph = false;
};

struct IndexLost {
  std::string path, engine, target, backend, bugs;
  std::string status;  // "not reproducible" or "bad input"
  std::string reason;
};

std::string IndexHtml(const std::vector<IndexBucket>& buckets, const std::vector<IndexLost>& lost);

}  // namespace hvfuzz::triage
