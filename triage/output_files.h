// SPDX-License-Identifier: Apache-2.0
// Output files of triage and promote: created exclusively, never overwritten (crash files,
// triage results and regressions are never clobbered or deleted by our tools).
//
// Contract: thin wrappers over the file system; errors as "PATH: reason". Not thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace hvfuzz::triage {

// Creates `path` with `content`; false (and nothing written) when it already exists.
bool WriteNewFile(const std::string& path, std::string_view content, std::string* error);
// Copies `from` to `to` unless `to` exists; false on error or when `to` exists with other
// content (`*same` true when it exists with the same content: nothing to do).
bool CopyNewFile(const std::string& from, const std::string& to, bool* same, std::string* error);
// Whole file, or false.
bool ReadWholeFile(const std::string& path, std::string* out);
// True when Graphviz `dot` is on PATH.
bool HaveDot();
// Renders `dot_path` to `svg_path` with Graphviz (no-op false when `svg_path` exists).
bool RenderDotToSvg(const std::string& dot_path, const std::string& svg_path);

}  // namespace hvfuzz::triage
