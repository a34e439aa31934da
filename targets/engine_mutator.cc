// SPDX-License-Identifier: Apache-2.0
#include "targets/engine_mutator.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>

namespace hvfuzz::targets {
namespace {

prog::OpSet SliceOps(std::string_view slice) {
  std::optional<prog::OpSet> ops = prog::OpSet::ForSlices(slice);
  if (!ops.has_value()) {
    std::fprintf(stderr, "hvfuzz: internal error: unknown model slice '%.*s'\n",
                 static_cast<int>(slice.size()), slice.data());
    std::abort();
  }
  return *ops;
}

}  // namespace

EngineMutator::EngineMutator(std::string_view slice)
    : options_{SliceOps(slice)}, mutator_(options_.ops) {}

size_t EngineMutator::Emit(const prog::Program& p, uint8_t* out, size_t max_out) {
  const std::vector<uint8_t> bytes = prog::Encode(p);
  if (bytes.size() > max_out) return 0;
  std::memcpy(out, bytes.data(), bytes.size());
  return bytes.size();
}

size_t EngineMutator::Mutate(uint8_t* data, size_t size, size_t max_size, uint64_t seed) {
  prog::MutationRng rng(seed);
  prog::Program p = prog::Decode({data, size}, options_);
  // A mutant that grew past max_size (the engine's length control asks for short inputs early
  // in a campaign) is dropped for another mutation of the same input.
  for (int attempt = 0; attempt < 4; ++attempt) {
    prog::Program mutant = p;
    mutator_.Mutate(mutant, rng);
    if (size_t n = Emit(mutant, data, max_size); n != 0) return n;
  }
  return 0;
}

size_t EngineMutator::CrossOver(const uint8_t* a, size_t a_size, const uint8_t* b, size_t b_size,
                                uint8_t* out, size_t max_out, uint64_t seed) {
  prog::MutationRng rng(seed);
  prog::Program p = prog::Decode({a, a_size}, options_);
  const prog::Program other = prog::Decode({b, b_size}, options_);
  mutator_.CrossOver(p, other, rng);
  return Emit(p, out, max_out);
}

}  // namespace hvfuzz::targets
