// SPDX-License-Identifier: Apache-2.0
// AFL++'s custom-mutator library (AFL_CUSTOM_MUTATOR_LIBRARY=libhvfuzz_afl_mutator.so): the
// same structure-aware mutations libFuzzer gets through libfuzzer_mutator.cc. ./hvfuzz fuzz runs
// it alone (AFL_CUSTOM_MUTATOR_ONLY=1; HVFUZZ_AFL_HAVOC=1 keeps AFL++'s havoc stage after it).
// The target's slice comes from HVFUZZ_SLICE (set by ./hvfuzz fuzz), because the library is
// loaded into afl-fuzz, not into the target. Built without AFL++ instrumentation and without
// sanitizers (release-like trees only): afl-fuzz dlopens it.
//
// API as documented in AFL++'s docs/custom_mutators.md: init, fuzz_count, fuzz, deinit. The
// mutant buffer is owned here and valid until the next call.
//
// fuzz_count: how many mutants this stage makes from one queue entry before AFL++ picks the
// next. AFL++'s own figure is HAVOC_CYCLES * perf_score / havoc_div: hundreds to thousands per
// entry, doubled while the entry keeps yielding, so a 300 s session never got through its
// queue once (one run sat at entry 75 of 2,267 after 697,994 executions). 16 walks the queue
// the way libFuzzer does, a few mutants per input per pass; measured with the mutator alone,
// 5 runs each: kvm-lock-slots-lock 2/5 found -> 5/5 (median 18 s), gpc-deactivate-race median
// 217 s -> 8 s (docs/fuzzing.md, "AFL++ walks its queue"). HVFUZZ_AFL_FUZZ_COUNT=N overrides.
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
  uint32_t fuzz_count = kDefaultFuzzCount;
  static constexpr uint32_t kDefaultFuzzCount = 16;
  static constexpr uint32_t kMaxFuzzCount = 1u << 20;
};

}  // namespace

extern "C" void* afl_custom_init(void* /*afl*/, unsigned int seed) {
  const char* slice = std::getenv("HVFUZZ_SLICE");
  if (slice == nullptr || *slice == '\0') {
    std::fprintf(stderr, "hvfuzz: the AFL++ custom mutator needs HVFUZZ_SLICE "
                         "(memslots|mmu|gpc|xen|global|vm)\n");
    return nullptr;  // afl-fuzz stops: a mutator that cannot know the target's operations
  }
  auto* m = new AflMutator(slice, seed);
  if (const char* count = std::getenv("HVFUZZ_AFL_FUZZ_COUNT"); count != nullptr && *count) {
    char* end = nullptr;
    const unsigned long n = std::strtoul(count, &end, 10);
    // 0 would skip the stage, and with AFL_CUSTOM_MUTATOR_ONLY nothing would be fuzzed.
    if (*end != '\0' || n == 0 || n > AflMutator::kMaxFuzzCount) {
      std::fprintf(stderr, "hvfuzz: HVFUZZ_AFL_FUZZ_COUNT='%s' is not a count (1..%u)\n", count,
                   AflMutator::kMaxFuzzCount);
      delete m;
      return nullptr;
    }
    m->fuzz_count = static_cast<uint32_t>(n);
  }
  return m;
}

extern "C" uint32_t afl_custom_fuzz_count(void* data, const uint8_t* /*buf*/,
                                          size_t /*buf_size*/) {
  return static_cast<const AflMutator*>(data)->fuzz_count;
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
