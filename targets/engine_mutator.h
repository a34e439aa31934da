// SPDX-License-Identifier: Apache-2.0
// EngineMutator: the bytes-in, bytes-out face of prog::Mutator for the engines' custom-mutator
// hooks (libfuzzer_mutator.cc: LLVMFuzzerCustomMutator/CustomCrossOver; afl_mutator.cc:
// AFL++'s afl_custom_fuzz). It decodes the input with the target's OpSet, mutates the program
// structurally and writes the canonical encoding back.
//
// Contract: a result of 0 means "no structural mutant fits in max_size": the caller falls back
// to its engine's byte-level mutation. Otherwise the returned bytes decode, under the same
// slice, to a valid program. Deterministic in (input, seed). One instance per process; not
// thread-safe (engines call mutators from one thread).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "fuzz/prog/binary_codec.h"
#include "fuzz/prog/mutator.h"

namespace hvfuzz::targets {

class EngineMutator {
 public:
  // `slice` as in HVFUZZ_FUZZ_TARGET; aborts on an unknown slice (a harness bug).
  explicit EngineMutator(std::string_view slice);

  size_t Mutate(uint8_t* data, size_t size, size_t max_size, uint64_t seed);
  size_t CrossOver(const uint8_t* a, size_t a_size, const uint8_t* b, size_t b_size,
                   uint8_t* out, size_t max_out, uint64_t seed);

 private:
  size_t Emit(const prog::Program& p, uint8_t* out, size_t max_out);

  prog::DecodeOptions options_;
  prog::Mutator mutator_;
};

}  // namespace hvfuzz::targets
