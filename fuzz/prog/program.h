// SPDX-License-Identifier: Apache-2.0
// Program: what one fuzzer input means (DESIGN.md, Executing a program). A header (threads,
// model shape, fault-injection point, fallback strategy and seed), one list of model
// operations per thread, and the schedule bytes that choose who runs at each decision point
// before the seeded strategy takes over.
//
// Contract: plain data, cheap to copy, no internal locking. A *valid* program satisfies
// Validate() below; the binary decoder (binary_codec.h) and the parser (text_codec.h) only
// ever produce valid programs, and the executor may assume validity. Validity is structural
// only (ranges and limits): whether the operations make sense together is the model's business.
//
// Compatibility: the text form (SYNTAX.md) names strategies, shape fields and operations by
// name, so StrategyName(), ShapeFields() (shape_fields.h) and model::Operations() names are a
// compatibility contract: stored corpora and regression tests spell them. Renaming one breaks
// every stored program that uses it; add new names instead.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/fault_injection.h"
#include "model/operations.h"
#include "model/world.h"

namespace hvfuzz::prog {

inline constexpr int kMaxThreads = 4;
inline constexpr int kMaxOpsPerThread = 32;
inline constexpr int kMaxScheduleBytes = 256;
// PCT depth d: d-1 priority change points (Burckhardt et al., ASPLOS 2010).
inline constexpr int kMinPctDepth = 1;
inline constexpr int kMaxPctDepth = 8;
inline constexpr int kDefaultPctDepth = 3;
// FaultInjection::fail_nth: 0 = no fault, n = the n-th fallible call of the run fails.
inline constexpr uint32_t kMaxFailNth = 255;

// The fallback strategy once the schedule bytes run out. Names (StrategyName) are stable.
enum class Strategy : uint8_t { kRandom, kPct };
inline constexpr int kNumStrategies = 2;

struct ProgramHeader {
  model::WorldConfig shape;
  model::FaultInjection fault;
  Strategy strategy = Strategy::kPct;
  uint64_t seed = 0;
  // Meaningful only for Strategy::kPct; kDefaultPctDepth for every other strategy (so that
  // equal executions are equal programs and print the same).
  uint8_t pct_depth = kDefaultPctDepth;
};

struct Program {
  ProgramHeader header;
  // threads.size() is the number of model threads (1..kMaxThreads); a thread may have no ops.
  std::vector<std::vector<model::OpCall>> threads = std::vector<std::vector<model::OpCall>>(1);
  std::vector<uint8_t> schedule;

  int num_ops() const {
    int n = 0;
    for (const auto& t : threads) n += static_cast<int>(t.size());
    return n;
  }
};

// Field-by-field equality (shape compared through ShapeFields(), so it covers every field the
// text form can express).
bool operator==(const ProgramHeader& a, const ProgramHeader& b);
bool operator==(const Program& a, const Program& b);

// "random", "pct" (static strings).
const char* StrategyName(Strategy s);
// The inverse of StrategyName; nullopt for an unknown name.
std::optional<Strategy> StrategyFromName(std::string_view name);

// Empty when `p` is valid; otherwise a one-line description of the first violated rule, e.g.
// "t1 op 3 (memslot.set): arg pages=65 exceeds max 64". Valid means: 1..kMaxThreads threads,
// at most kMaxOpsPerThread ops per thread, op codes index model::Operations(), each argument
// within its ArgSpec::max and unused argument slots zero, each op's fail_nth <=
// model::kMaxOpFailNth, every shape field within its range, fault.fail_nth <= kMaxFailNth,
// pct_depth in [kMinPctDepth, kMaxPctDepth] (and the default for
// non-PCT strategies), at most kMaxScheduleBytes schedule bytes.
std::string Validate(const Program& p);

}  // namespace hvfuzz::prog
