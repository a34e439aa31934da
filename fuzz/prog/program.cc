// SPDX-License-Identifier: Apache-2.0
#include "fuzz/prog/program.h"

#include <algorithm>
#include <array>
#include <cstdio>

#include "fuzz/prog/shape_fields.h"

namespace hvfuzz::prog {
namespace {

bool SameShape(const model::WorldConfig& a, const model::WorldConfig& b) {
  for (const ShapeField& field : ShapeFields()) {
    if (field.get(a) != field.get(b)) return false;
  }
  return true;
}

bool SameCall(const model::OpCall& a, const model::OpCall& b) {
  return a.op == b.op && a.args == b.args && a.fail_nth == b.fail_nth;
}

std::string Printf(const char* format, auto... args) {
  std::array<char, 256> buf;
  std::snprintf(buf.data(), buf.size(), format, args...);
  return buf.data();
}

std::string ValidateCall(size_t t, size_t i, const model::OpCall& call) {
  const auto ops = model::Operations();
  if (call.op >= ops.size())
    return Printf("t%zu op %zu: op code %u is not an operation", t, i, call.op);
  const model::OpSpec& spec = ops[call.op];
  for (int a = 0; a < model::kMaxOpArgs; ++a) {
    const std::string_view name = spec.args[a].name;
    if (a >= spec.nargs) {
      if (call.args[a] != 0) {
        return Printf("t%zu op %zu (%.*s): unused arg slot %d is %u, not 0", t, i,
                      static_cast<int>(spec.name.size()), spec.name.data(), a, call.args[a]);
      }
    } else if (call.args[a] > spec.args[a].max) {
      return Printf("t%zu op %zu (%.*s): arg %.*s=%u exceeds max %u", t, i,
                    static_cast<int>(spec.name.size()), spec.name.data(),
                    static_cast<int>(name.size()), name.data(), call.args[a], spec.args[a].max);
    }
  }
  if (call.fail_nth > model::kMaxOpFailNth) {
    return Printf("t%zu op %zu (%.*s): fail=%u exceeds max %u", t, i,
                  static_cast<int>(spec.name.size()), spec.name.data(), call.fail_nth,
                  model::kMaxOpFailNth);
  }
  return {};
}

}  // namespace

bool operator==(const ProgramHeader& a, const ProgramHeader& b) {
  return SameShape(a.shape, b.shape) && a.fault.fail_nth == b.fault.fail_nth &&
         a.strategy == b.strategy && a.seed == b.seed && a.pct_depth == b.pct_depth;
}

bool operator==(const Program& a, const Program& b) {
  if (!(a.header == b.header) || a.schedule != b.schedule) return false;
  if (a.threads.size() != b.threads.size()) return false;
  for (size_t t = 0; t < a.threads.size(); ++t) {
    if (!std::equal(a.threads[t].begin(), a.threads[t].end(), b.threads[t].begin(),
                    b.threads[t].end(), SameCall)) {
      return false;
    }
  }
  return true;
}

const char* StrategyName(Strategy s) {
  switch (s) {
    case Strategy::kRandom:
      return "random";
    case Strategy::kPct:
      return "pct";
  }
  return "unknown";
}

std::optional<Strategy> StrategyFromName(std::string_view name) {
  for (int i = 0; i < kNumStrategies; ++i) {
    if (std::string_view(StrategyName(static_cast<Strategy>(i))) == name) {
      return static_cast<Strategy>(i);
    }
  }
  return std::nullopt;
}

std::string Validate(const Program& p) {
  const ProgramHeader& h = p.header;
  if (p.threads.empty() || p.threads.size() > kMaxThreads) {
    return Printf("%zu threads, not 1..%d", p.threads.size(), kMaxThreads);
  }
  if (static_cast<int>(h.strategy) >= kNumStrategies) {
    return Printf("strategy %d is unknown", static_cast<int>(h.strategy));
  }
  if (h.pct_depth < kMinPctDepth || h.pct_depth > kMaxPctDepth) {
    return Printf("pct depth %d, not %d..%d", h.pct_depth, kMinPctDepth, kMaxPctDepth);
  }
  if (h.strategy != Strategy::kPct && h.pct_depth != kDefaultPctDepth) {
    return Printf("pct depth %d with a strategy other than pct", h.pct_depth);
  }
  if (h.fault.fail_nth > kMaxFailNth) {
    return Printf("fault nth %u exceeds %u", h.fault.fail_nth, kMaxFailNth);
  }
  for (const ShapeField& field : ShapeFields()) {
    const uint32_t v = field.get(h.shape);
    if (v < field.min || v > field.max) {
      return Printf("shape %.*s=%u, not %u..%u", static_cast<int>(field.name.size()),
                    field.name.data(), v, field.min, field.max);
    }
  }
  for (size_t t = 0; t < p.threads.size(); ++t) {
    if (p.threads[t].size() > kMaxOpsPerThread) {
      return Printf("t%zu has %zu ops, more than %d", t, p.threads[t].size(), kMaxOpsPerThread);
    }
    for (size_t i = 0; i < p.threads[t].size(); ++i) {
      if (std::string error = ValidateCall(t, i, p.threads[t][i]); !error.empty()) return error;
    }
  }
  if (p.schedule.size() > kMaxScheduleBytes) {
    return Printf("%zu schedule bytes, more than %d", p.schedule.size(), kMaxScheduleBytes);
  }
  return {};
}

}  // namespace hvfuzz::prog
