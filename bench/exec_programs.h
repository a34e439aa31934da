// SPDX-License-Identifier: Apache-2.0
// Benchmark programs: fixed-seed, typical-size programs for exec::RunOne benchmarks (exec_bench,
// rss_bench). Each program has exactly `threads` threads of `ops_per_thread` operations drawn
// uniformly from every model operation, arguments uniform over their ranges, the default model
// shape (2 VMs, 2 vCPUs each, 3 memslots, 1 cache, Xen), no fault injection, and the random
// strategy with a per-program seed: what a fuzzer's corpus entry of that size looks like.
//
// Contract: deterministic (same arguments, same programs); header-only, bench-only.
#pragma once

#include <cstdint>
#include <random>
#include <vector>

#include "fuzz/prog/binary_codec.h"
#include "fuzz/prog/program.h"
#include "model/operations.h"

namespace hvfuzz::bench {

inline prog::Program BenchProgram(std::mt19937_64& rng, int threads, int ops_per_thread) {
  prog::Program p;
  p.header.shape = model::WorldConfig{.vms = 2, .vcpus = 2, .memslots = 3, .gpcs = 1, .xen = true};
  p.header.strategy = prog::Strategy::kRandom;
  p.header.pct_depth = prog::kDefaultPctDepth;
  p.header.seed = rng();
  const auto ops = model::Operations();
  p.threads.assign(threads, {});
  for (auto& thread : p.threads) {
    thread.resize(ops_per_thread);
    for (model::OpCall& call : thread) {
      call.op = static_cast<uint16_t>(rng() % ops.size());
      for (int a = 0; a < ops[call.op].nargs; ++a) {
        call.args[a] = static_cast<uint32_t>(rng() % (uint64_t{ops[call.op].args[a].max} + 1));
      }
    }
  }
  return p;
}

// `count` programs of one size from a fixed seed.
inline std::vector<prog::Program> BenchPrograms(int count, int threads, int ops_per_thread,
                                                uint64_t seed = 42) {
  std::mt19937_64 rng(seed);
  std::vector<prog::Program> out;
  out.reserve(count);
  for (int i = 0; i < count; ++i) out.push_back(BenchProgram(rng, threads, ops_per_thread));
  return out;
}

// The same programs in the binary form the engines hand to a target.
inline std::vector<std::vector<uint8_t>> Encoded(const std::vector<prog::Program>& programs) {
  std::vector<std::vector<uint8_t>> out;
  out.reserve(programs.size());
  for (const prog::Program& p : programs) out.push_back(prog::Encode(p));
  return out;
}

}  // namespace hvfuzz::bench
