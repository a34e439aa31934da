// SPDX-License-Identifier: Apache-2.0
// EngineMutator on raw engine buffers: every result fits max_size and decodes under the
// target's slice to a valid program, mutants differ from their input, a buffer too small for
// any program yields 0 (the hook's signal to fall back), and a seed means one mutant.
#include "targets/engine_mutator.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <vector>

namespace hvfuzz::targets {
namespace {

std::vector<uint8_t> RandomBuffer(std::mt19937_64& rng) {
  std::vector<uint8_t> b(rng() % 120);
  for (uint8_t& x : b) x = static_cast<uint8_t>(rng());
  return b;
}

TEST(EngineMutatorTest, MutantsFitAndDecodeInSlice) {
  EngineMutator m("gpc");
  const prog::OpSet gpc = *prog::OpSet::ForSlices("gpc");
  std::mt19937_64 rng(1);
  int changed = 0;
  for (int i = 0; i < 500; ++i) {
    std::vector<uint8_t> in = RandomBuffer(rng);
    const size_t max_size = 2048;
    std::vector<uint8_t> buf(in);
    buf.resize(max_size);
    const size_t n = m.Mutate(buf.data(), in.size(), max_size, 1000 + i);
    ASSERT_GT(n, 0u);
    ASSERT_LE(n, max_size);
    const prog::Program p = prog::Decode({buf.data(), n}, {gpc});
    ASSERT_EQ(prog::Validate(p), "");
    ASSERT_TRUE(gpc.ContainsAll(p));
    if (!(p == prog::Decode(in, {gpc}))) ++changed;
  }
  EXPECT_GT(changed, 450);
}

TEST(EngineMutatorTest, TooSmallBufferAsksForFallback) {
  EngineMutator m("vm");
  std::vector<uint8_t> buf(4, 0);
  EXPECT_EQ(m.Mutate(buf.data(), 1, 4, 7), 0u);
}

TEST(EngineMutatorTest, CrossOverFitsAndDecodes) {
  EngineMutator m("memslots");
  const prog::OpSet ops = *prog::OpSet::ForSlices("memslots");
  std::mt19937_64 rng(2);
  for (int i = 0; i < 300; ++i) {
    std::vector<uint8_t> a = RandomBuffer(rng), b = RandomBuffer(rng), out(1024);
    const size_t n = m.CrossOver(a.data(), a.size(), b.data(), b.size(), out.data(), out.size(), i);
    ASSERT_GT(n, 0u);
    const prog::Program p = prog::Decode({out.data(), n}, {ops});
    ASSERT_EQ(prog::Validate(p), "");
  }
}

TEST(EngineMutatorTest, SameSeedSameMutant) {
  EngineMutator m("vm");
  std::mt19937_64 rng(3);
  for (int i = 0; i < 100; ++i) {
    const std::vector<uint8_t> in = RandomBuffer(rng);
    std::vector<uint8_t> x(in), y(in);
    x.resize(1024);
    y.resize(1024);
    const size_t nx = m.Mutate(x.data(), in.size(), x.size(), 55 + i);
    const size_t ny = m.Mutate(y.data(), in.size(), y.size(), 55 + i);
    ASSERT_EQ(nx, ny);
    EXPECT_TRUE(std::equal(x.begin(), x.begin() + nx, y.begin()));
  }
}

}  // namespace
}  // namespace hvfuzz::targets
