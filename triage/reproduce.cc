// SPDX-License-Identifier: Apache-2.0
// Reproduction search and signature-preserving minimization (reproduce.h for the steps).
#include "triage/reproduce.h"

#include <cinttypes>
#include <cstdio>
#include <map>

#include "fuzz/prog/text_codec.h"

#include "fuzz/exec/run_one.h"

namespace hvfuzz::triage {
namespace {

std::string Hex(uint64_t v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "0x%" PRIx64, v);
  return buf;
}

// Step 2: header rewrites (strategy x depth x seed, schedule kept then dropped).
bool Search(const prog::Program& original, const std::vector<std::string>& bugs,
            const std::string& expected_title, const ReproduceOptions& options,
            Reproduction* out) {
  struct Variant {
    prog::Strategy strategy;
    uint8_t depth;
  };
  std::vector<Variant> variants{{prog::Strategy::kRandom, prog::kDefaultPctDepth}};
  for (int d = prog::kMinPctDepth; d <= prog::kMaxPctDepth; ++d) {
    variants.push_back({prog::Strategy::kPct, static_cast<uint8_t>(d)});
  }
  int budget = options.search_budget;
  for (bool keep_schedule : {true, false}) {
    if (!keep_schedule && original.schedule.empty()) break;
    for (int seed = 0; seed < options.max_seed; ++seed) {
      for (const Variant& v : variants) {
        if (budget-- <= 0) return false;
        prog::Program p = original;
        p.header.strategy = v.strategy;
        p.header.pct_depth = v.depth;
        p.header.seed = static_cast<uint64_t>(seed);
        if (!keep_schedule) p.schedule.clear();
        ++out->runs;
        std::optional<check::Finding> f = RunControlled(p, bugs, options);
        if (!f.has_value()) continue;
        if (!expected_title.empty() && f->title != expected_title) continue;
        out->reproduced = true;
        out->finding = std::move(*f);
        out->program = p;
        out->bugs = bugs;
        out->how = std::string("search: ") + prog::StrategyName(v.strategy) +
                   (v.strategy == prog::Strategy::kPct ? " depth=" + std::to_string(v.depth) : "") +
                   " seed=" + Hex(p.header.seed) +
                   (keep_schedule ? " (schedule kept)" : " (schedule dropped)") + " after " +
                   std::to_string(out->runs) + " runs";
        return true;
      }
    }
  }
  return false;
}

}  // namespace

bool ParseBugs(const std::vector<std::string>& names, model::BugSwitches* bugs,
               std::string* unknown) {
  for (const std::string& n : names) {
    if (!bugs->Set(n, true)) {
      *unknown = n;
      return false;
    }
  }
  return true;
}

std::optional<check::Finding> RunControlled(const prog::Program& p,
                                            const std::vector<std::string>& bugs,
                                            const ReproduceOptions& options) {
  exec::RunOptions ro;
  std::string unknown;
  ParseBugs(bugs, &ro.bugs, &unknown);  // names were checked by the caller
  ro.max_steps = options.max_steps;
  return exec::RunOne(p, ro).finding;
}

Reproduction Reproduce(const prog::Program& program, const std::vector<std::string>& bugs,
                       bool bugs_known, const std::string& expected_title,
                       const ReproduceOptions& options) {
  Reproduction out;
  std::vector<std::vector<std::string>> switch_sets{bugs};
  if (!bugs_known) {
    for (const model::BugSwitchInfo& info : model::BugSwitchTable()) {
      switch_sets.push_back({std::string(info.name)});
    }
  }
  for (size_t i = 0; i < switch_sets.size(); ++i) {
    const std::vector<std::string>& set = switch_sets[i];
    ++out.runs;
    std::optional<check::Finding> f = RunControlled(program, set, options);
    if (f.has_value() && (i == 0 || expected_title.empty() || f->title == expected_title)) {
      out.reproduced = true;
      out.finding = std::move(*f);
      out.program = program;
      out.bugs = set;
      out.how = i == 0 ? "replays as is" : "replays as is with the inferred switch";
      return out;
    }
    if (Search(program, set, expected_title, options, &out)) {
      if (i > 0) out.how += " with the inferred switch";
      return out;
    }
  }
  out.how = "no deterministic reproducer in " + std::to_string(out.runs) + " controlled runs";
  return out;
}

Minimized MinimizeKeepingSignature(const prog::Program& program,
                                   const std::vector<std::string>& bugs,
                                   const std::string& signature, const ReproduceOptions& options) {
  Minimized out;
  auto matches = [&](const prog::Program& p) {
    std::optional<check::Finding> f = RunControlled(p, bugs, options);
    return f.has_value() && f->Signature() == signature;
  };
  // Pass 1 judges the operations, not one schedule: dropping an op shifts every later
  // scheduling point, so the seeded strategy's choices move. A candidate counts when it or a
  // header variant (strategy, PCT depth, seed) reproduces; the variant is kept as its witness.
  std::map<std::string, prog::Program> witness;  // Print(candidate) -> reproducing variant
  auto reproduces_somehow = [&](const prog::Program& p) {
    if (matches(p)) return true;
    for (int seed = 0; seed < options.minimize_seeds; ++seed) {
      for (int d = 0; d <= options.minimize_max_depth; ++d) {  // d == 0: random
        prog::Program v = p;
        v.header.strategy = d == 0 ? prog::Strategy::kRandom : prog::Strategy::kPct;
        v.header.pct_depth = static_cast<uint8_t>(d == 0 ? prog::kDefaultPctDepth : d);
        v.header.seed = static_cast<uint64_t>(seed);
        if (v == p || !matches(v)) continue;
        witness[prog::Print(p)] = v;
        return true;
      }
    }
    return false;
  };
  prog::MinimizeStats first;
  prog::Program reduced = prog::Minimize(program, reproduces_somehow, &first);
  if (!matches(reduced)) reduced = witness.at(prog::Print(reduced));
  // Pass 2: the exact program (header included) must reproduce; simplify what is left.
  out.program = prog::Minimize(reduced, matches, &out.stats);
  out.stats.predicate_calls += first.predicate_calls;
  out.stats.cache_hits += first.cache_hits;
  out.stats.reductions += first.reductions;
  out.stats.rounds += first.rounds;
  out.stats.budget_exhausted = out.stats.budget_exhausted || first.budget_exhausted;
  std::optional<check::Finding> f = RunControlled(out.program, bugs, options);
  if (f.has_value()) out.finding = std::move(*f);
  return out;
}

std::vector<std::string> MinimizeSwitches(const prog::Program& program,
                                          const std::vector<std::string>& bugs,
                                          const std::string& signature,
                                          const ReproduceOptions& options) {
  std::vector<std::string> needed = bugs;
  for (size_t i = 0; i < needed.size();) {
    std::vector<std::string> fewer = needed;
    fewer.erase(fewer.begin() + static_cast<long>(i));
    std::optional<check::Finding> f = RunControlled(program, fewer, options);
    if (f.has_value() && f->Signature() == signature) {
      needed = std::move(fewer);
    } else {
      ++i;
    }
  }
  return needed;
}

}  // namespace hvfuzz::triage
