// SPDX-License-Identifier: Apache-2.0
// libFuzzer's custom-mutator hooks for every fuzz target (linked into libFuzzer builds only:
// AFL++'s driver provides no LLVMFuzzerMutate). Most mutations are structural
// (EngineMutator); one in four, and every time a structural mutant would not fit, libFuzzer's
// own byte-level mutation runs instead, so its dictionary and CMP-guided mutations stay in play.
// HVFUZZ_MUTATOR=0 leaves libFuzzer's mutations alone (the baseline of the measurements).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "fuzz/exec/options.h"
#include "targets/engine_mutator.h"

extern "C" const char* HvfuzzTargetSlice();
extern "C" size_t LLVMFuzzerMutate(uint8_t* data, size_t size, size_t max_size);

namespace {

// Null when HVFUZZ_MUTATOR=0.
hvfuzz::targets::EngineMutator* Structural() {
  static hvfuzz::targets::EngineMutator* mutator = []() -> hvfuzz::targets::EngineMutator* {
    hvfuzz::exec::Options options;
    std::string error;
    if (!hvfuzz::exec::OptionsFromEnvironment(&options, &error)) {
      std::fprintf(stderr, "hvfuzz: %s\n", error.c_str());
      std::exit(2);
    }
    return options.mutator ? new hvfuzz::targets::EngineMutator(HvfuzzTargetSlice()) : nullptr;
  }();
  return mutator;
}

}  // namespace

extern "C" size_t LLVMFuzzerCustomMutator(uint8_t* data, size_t size, size_t max_size,
                                          unsigned int seed) {
  hvfuzz::targets::EngineMutator* m = Structural();
  if (m == nullptr || seed % 4 == 0) return LLVMFuzzerMutate(data, size, max_size);
  if (size_t n = m->Mutate(data, size, max_size, seed); n != 0) return n;
  return LLVMFuzzerMutate(data, size, max_size);
}

extern "C" size_t LLVMFuzzerCustomCrossOver(const uint8_t* data1, size_t size1,
                                            const uint8_t* data2, size_t size2, uint8_t* out,
                                            size_t max_out_size, unsigned int seed) {
  hvfuzz::targets::EngineMutator* m = Structural();
  if (m != nullptr) {
    if (size_t n = m->CrossOver(data1, size1, data2, size2, out, max_out_size, seed); n != 0) {
      return n;
    }
  }
  // libFuzzer's own cross-over is not exported; a byte-level splice of the two halves.
  const size_t first = size1 / 2 < max_out_size ? size1 / 2 : max_out_size;
  size_t n = 0;
  for (; n < first; ++n) out[n] = data1[n];
  for (size_t i = size2 / 2; i < size2 && n < max_out_size; ++i) out[n++] = data2[i];
  return n;
}
