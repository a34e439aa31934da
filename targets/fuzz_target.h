// SPDX-License-Identifier: Apache-2.0
// The shared body of every fuzz target (STYLE.md G14): decode the bytes into a program of the
// target's slice of the model, run it through exec::RunOne, and on a finding print the report
// to stderr and end the process the way the engine expects: abort() under libFuzzer and AFL++
// (a crash: the input is saved), exit status 1 in the standalone replayer.
//
// A target file is two lines: include this header and HVFUZZ_FUZZ_TARGET("<slice>"), where the
// slice is a model::OpSpec::slice ("memslots", "mmu", "gpc", "xen", "global"; "vm" = all ops).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace hvfuzz::targets {

// Runs one input; returns 0 (libFuzzer's contract) or does not return on a finding.
int RunInput(std::string_view slice, const uint8_t* data, size_t size);
// Replayer mode: a finding prints its report and exits with status 1 instead of aborting.
void SetReplayMode(bool on);
// The file being replayed, for the report's replay line.
void SetReplayFile(std::string_view path);
// Runs a canonical text program (a stored crash or regression), same semantics.
int RunTextInput(std::string_view slice, std::string_view text, std::string_view filename);

}  // namespace hvfuzz::targets

#define HVFUZZ_FUZZ_TARGET(slice)                                                      \
  extern "C" const char* HvfuzzTargetSlice() { return slice; }                       \
  extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {          \
    return ::hvfuzz::targets::RunInput(slice, data, size);                           \
  }
