// SPDX-License-Identifier: Apache-2.0
// AFL++'s custom-mutator library (AFL_CUSTOM_MUTATOR_LIBRARY=libhvfuzz_afl_mutator.so): the
// same structure-aware mutations libFuzzer gets through libfuzzer_mutator.cc. AFL++ runs this
// stage before its havoc stage and keeps its own byte-level mutations (AFL_CUSTOM_MUTATOR_ONLY
// unset: measured better for the lock-order bugs, worse for gpc-deactivate-race, than this
// mutator alone; docs/fuzzing.md). The target's slice comes from HVFUZZ_SLICE (set by ./hvfuzz
// fuzz), because the library is loaded into afl-fuzz, not into the target. Built without AFL++
// instrumentation and without sanitizers (release-like trees only): afl-fuzz dlopens it.
//
// API as documented in AFL++'s docs/custom_mutators.md: init, fuzz, deinit. The mutant buffer
// is owned here and valid until the next call.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "targets/engine_mutator.h"

namespace {

struct AflMutator {
  explicit AflMutator(const char* slice, unsigned int seed) : mutator(slice), next_seed(seed) {}
  hvfuzz::targets::EngineMutator mutator;
  std::vector<uint8_t> out;
  uint64_t next_seed;
};

}  // namespace

extern "C" void* afl_custom_init(void* /*afl*/, unsigned int seed) {
  const char* slice = std::getenv("HVFUZZ_SLICE");
  if (slice == nullptr || *slice == '\0') {
    std::fprintf(stderr, "hvfuzz: the AFL++ custom mutator needs HVFUZZ_SLICE "
                         "(memslots|mmu|gpc|xen|global|vm)\n");
    return nullptr;  // afl-fuzz stops: a mutator that cannot know the target's operations
  }
  return new AflMutator(slice, seed);
}

extern "C" size_t afl_custom_fuzz(void* data, uint8_t* buf, size_t buf_size, uint8_t** out_buf,
                                  uint8_t* add_buf, size_t add_buf_size, size_t max_size) {
  auto* m = static_cast<AflMutator*>(data);
  m->out.resize(max_size);
  const uint64_t seed = m->next_seed++ * 0x9e3779b97f4a7c15ull + 1;
  size_t n = 0;
  if (add_buf != nullptr && add_buf_size != 0 && seed % 8 == 0) {
    n = m->mutator.CrossOver(buf, buf_size, add_buf, add_buf_size, m->out.data(), max_size, seed);
  } else {
    std::memcpy(m->out.data(), buf, buf_size < max_size ? buf_size : max_size);
    n = m->mutator.Mutate(m->out.data(), buf_size < max_size ? buf_size : max_size, max_size, seed);
  }
  if (n == 0) {
    // Nothing structural fits: hand back the input; AFL++'s havoc stage mutates it next.
    n = buf_size < max_size ? buf_size : max_size;
    std::memcpy(m->out.data(), buf, n);
  }
  *out_buf = m->out.data();
  return n;
}

extern "C" void afl_custom_deinit(void* data) { delete static_cast<AflMutator*>(data); }
