// SPDX-License-Identifier: Apache-2.0
// Fuzz assets: the dictionary (`<name>.dict`) and options file (`<name>.options`) that the build
// writes beside every *_fuzzer (OSS-Fuzz / ClusterFuzz conventions; libFuzzer -dict=, AFL++ -x).
// Everything is derived from the model's tables and the binary layout (binary_codec.h) through
// prog::Encode, never typed by hand, so a new operation or shape field shows up in the next build.
//
// Dictionary tokens for a binary target (one model slice):
//   - an op record prefix [thread][op] for every op of the slice and every thread, and whole
//     records (all arguments 0 on thread 0, all arguments 1 on thread 1);
//   - program headers for every thread count and strategy (default shape, fault, seed);
//   - the schedule separator alone and followed by round-robin schedules for 2..kMaxThreads.
// The codec target (prog_codec_fuzzer: binary and text) also gets the text form's keywords:
// the canonical header lines, op names, "name=" for every argument and shape field, strategies.
//
// Contract: pure functions of the model's tables; deterministic output (same bytes every build).
// RenderDictionary escapes every byte outside printable ASCII (and '"', '\\') as \xNN, so the
// file is valid for libFuzzer's and AFL++'s dictionary parsers alike. Entry names are unique.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz/prog/op_set.h"

namespace hvfuzz::targets {

struct DictEntry {
  std::string name;            // "t0_memslot_set"; [A-Za-z0-9_] only
  std::vector<uint8_t> bytes;  // the token
};

// Tokens of the binary input format for a target that decodes with `ops`.
std::vector<DictEntry> BinaryDictionary(const prog::OpSet& ops);
// Keywords of the canonical text form (for the codec target).
std::vector<DictEntry> TextDictionary();

// The longest input whose every byte can still matter for a target decoding with `ops`: a full
// header, kMaxOpsPerThread records of the longest op on every thread, the separator and
// kMaxScheduleBytes (records past the per-thread limit are dropped by the decoder).
size_t MaxUsefulInputLength(const prog::OpSet& ops);
// The longest canonical text of a valid program: every thread full of the op whose printed
// line is longest (arguments at their maximum) and a full schedule (for the codec target).
size_t MaxUsefulTextLength();

// The dictionary file: a comment header, then one `name="escaped bytes"` line per entry.
std::string RenderDictionary(std::string_view fuzzer, const std::vector<DictEntry>& entries);
// The options file: a [libfuzzer] section with max_len and dict = <fuzzer>.dict.
std::string RenderOptions(std::string_view fuzzer, size_t max_len);

// A seed program as its fuzzer can run it: every op outside `ops` removed (a fuzzer decodes
// op bytes through its OpSet, so an op of another slice would silently become a different op
// of this one). `dropped` receives the removed ops' names, in program order.
prog::Program RestrictToOps(const prog::Program& p, const prog::OpSet& ops,
                            std::vector<std::string>* dropped);

// What a fuzzer named `fuzzer` decodes: its OpSet ("memslots_fuzzer" -> the memslots slice,
// "vm_fuzzer" -> every op, "prog_codec_fuzzer" -> every op plus text). Nullopt when unknown.
struct FuzzerKind {
  prog::OpSet ops;
  bool text = false;  // also takes canonical text (prog_codec_fuzzer)
};
std::optional<FuzzerKind> KindOfFuzzer(std::string_view fuzzer);

}  // namespace hvfuzz::targets
