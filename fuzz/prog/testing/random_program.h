// SPDX-License-Identifier: Apache-2.0
// Test-only helpers for fuzz/prog tests (namespace testing): random valid programs and random
// byte strings from a fixed-seed generator, and op lookup by name that fails the test instead
// of crashing.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string_view>
#include <vector>

#include "fuzz/prog/program.h"
#include "fuzz/prog/shape_fields.h"

namespace hvfuzz::prog::testing {

// Values biased to the edges of [0, max] (0, 1, max-1, max) half of the time.
inline uint32_t RandomValue(std::mt19937_64& rng, uint32_t min, uint32_t max) {
  switch (rng() % 8) {
    case 0:
      return min;
    case 1:
      return max;
    case 2:
      return max > min ? max - 1 : max;
    case 3:
      return min < max ? min + 1 : min;
    default:
      return static_cast<uint32_t>(min + rng() % (static_cast<uint64_t>(max) - min + 1));
  }
}

// A random valid program over every operation, covering every field's whole range.
inline Program RandomProgram(std::mt19937_64& rng) {
  Program p;
  const auto ops = model::Operations();
  p.threads.resize(1 + rng() % kMaxThreads);
  for (auto& thread : p.threads) {
    thread.resize(rng() % 3 == 0 ? rng() % (kMaxOpsPerThread + 1) : rng() % 6);
    for (model::OpCall& call : thread) {
      call.op = static_cast<uint16_t>(rng() % ops.size());
      for (int a = 0; a < ops[call.op].nargs; ++a) {
        call.args[a] = RandomValue(rng, 0, ops[call.op].args[a].max);
      }
      if (rng() % 4 == 0) call.fail_nth = static_cast<uint8_t>(RandomValue(rng, 1, model::kMaxOpFailNth));
    }
  }
  ProgramHeader& h = p.header;
  for (const ShapeField& field : ShapeFields()) {
    field.set(h.shape, RandomValue(rng, field.min, field.max));
  }
  h.fault.fail_nth = RandomValue(rng, 0, kMaxFailNth);
  h.strategy = static_cast<Strategy>(rng() % kNumStrategies);
  if (h.strategy == Strategy::kPct) {
    h.pct_depth = static_cast<uint8_t>(RandomValue(rng, kMinPctDepth, kMaxPctDepth));
  }
  h.seed = rng() % 2 ? rng() : rng() % 1000;
  p.schedule.resize(rng() % 4 == 0 ? rng() % (kMaxScheduleBytes + 1) : rng() % 12);
  for (uint8_t& b : p.schedule) b = static_cast<uint8_t>(rng());
  return p;
}

// Random bytes, length 0..max_len (short lengths are as likely as long ones).
inline std::vector<uint8_t> RandomBytes(std::mt19937_64& rng, size_t max_len) {
  std::vector<uint8_t> bytes(rng() % (rng() % 2 ? 32 : max_len + 1));
  for (uint8_t& b : bytes) b = static_cast<uint8_t>(rng());
  return bytes;
}

// The op code of `name`; fails the calling test (and returns 0) when the model lacks it.
inline uint16_t OpCode(std::string_view name) {
  const auto op = model::FindOperation(name);
  EXPECT_TRUE(op.has_value()) << "the model has no operation " << name;
  return op.value_or(0);
}

inline model::OpCall Call(std::string_view name, std::initializer_list<uint32_t> args = {}) {
  model::OpCall call;
  call.op = OpCode(name);
  int i = 0;
  for (uint32_t a : args) call.args[i++] = a;
  return call;
}

}  // namespace hvfuzz::prog::testing
