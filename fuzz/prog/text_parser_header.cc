// SPDX-License-Identifier: Apache-2.0
// Parser, header part: the version line and "# key: value" header lines (SYNTAX.md, Header).
#include <vector>

#include "fuzz/prog/internal/spelling.h"
#include "fuzz/prog/internal/text_parser.h"
#include "fuzz/prog/shape_fields.h"

namespace hvfuzz::prog::internal {
namespace {

std::string HeaderLine(HeaderKey key) {
  return "'# " + std::string(kHeaderKeys[static_cast<int>(key)]) + ":'";
}

}  // namespace

bool TextParser::ParseVersion(TokenScanner& rest, int column) {
  if (seen_version_) return Problem(column, "duplicate version line", "ignored");
  seen_version_ = true;
  const std::optional<Token> version = rest.Next();
  if (!version) {
    return Problem(rest.EndColumn(), "missing version after 'hvfuzz-prog'", "read as v1");
  }
  if (version->text != "v1" && !Problem(version->column,
                                        "unsupported format version '" +
                                            std::string(version->text) + "' (this build reads v1)",
                                        "read as v1")) {
    return false;
  }
  return ExpectEnd(rest);
}

bool TextParser::ParseHeader(HeaderKey key, const Token& key_token, TokenScanner& rest) {
  const int index = static_cast<int>(key);
  if (seen_header_[index] &&
      !Problem(key_token.column, "duplicate header line " + HeaderLine(key), "the last counts")) {
    return false;
  }
  if ((seen_op_ || seen_schedule_) && strict()) {
    return Problem(key_token.column, "header line " + HeaderLine(key) + " after the operations",
                   "");
  }
  seen_header_.set(index);
  switch (key) {
    case HeaderKey::kThreads:
      return ParseThreads(key_token, rest);
    case HeaderKey::kSeed:
      return ParseSeed(key_token, rest);
    case HeaderKey::kStrategy:
      return ParseStrategy(key_token, rest);
    case HeaderKey::kShape:
      return ParseShape(key_token, rest);
    case HeaderKey::kFault:
      return ParseFault(key_token, rest);
  }
  return true;
}

bool TextParser::ParseThreads(const Token& key_token, TokenScanner& rest) {
  const std::optional<Token> t = rest.Next();
  if (!t) return Problem(rest.EndColumn(), "missing number of threads", "from the operations");
  uint64_t threads = 1;
  if (!ParseValue(*t, "threads", 1, kMaxThreads, 1, &threads)) return false;
  declared_threads_ = std::max(declared_threads_, static_cast<int>(threads));
  if (strict()) declared_threads_ = static_cast<int>(threads);
  return ExpectEnd(rest);
}

bool TextParser::ParseSeed(const Token& key_token, TokenScanner& rest) {
  const std::optional<Token> t = rest.Next();
  if (!t) return Problem(rest.EndColumn(), "missing seed", "seed 0");
  uint64_t seed = 0;
  if (!ParseValue(*t, "seed", 0, UINT64_MAX, 0, &seed)) return false;
  program_.header.seed = seed;
  return ExpectEnd(rest);
}

bool TextParser::ParseStrategy(const Token& key_token, TokenScanner& rest) {
  ProgramHeader& h = program_.header;
  const std::optional<Token> name = rest.Next();
  if (!name) return Problem(rest.EndColumn(), "missing strategy name", "pct");
  if (const std::optional<Strategy> s = StrategyFromName(name->text)) {
    h.strategy = *s;
  } else {
    std::vector<std::string_view> names;
    for (int i = 0; i < kNumStrategies; ++i) names.push_back(StrategyName(Strategy(i)));
    if (!Problem(name->column,
                 "unknown strategy '" + std::string(name->text) +
                     "' (strategies: " + JoinNames(names) + ")",
                 "pct")) {
      return false;
    }
    h.strategy = Strategy::kPct;
  }
  const std::string what = "strategy " + std::string(StrategyName(h.strategy));
  if (h.strategy != Strategy::kPct) return ParseFields(rest, {}, {}, "field", what, name->column);
  const FieldSpec depth[] = {{"depth", kMinPctDepth, kMaxPctDepth, kDefaultPctDepth}};
  uint64_t value[1] = {kDefaultPctDepth};
  if (!ParseFields(rest, depth, value, "field", what, name->column)) return false;
  h.pct_depth = static_cast<uint8_t>(value[0]);
  return true;
}

bool TextParser::ParseShape(const Token& key_token, TokenScanner& rest) {
  const auto fields = ShapeFields();
  std::vector<FieldSpec> specs;
  std::vector<uint64_t> values(fields.size());
  const model::WorldConfig defaults;
  for (const ShapeField& f : fields) specs.push_back({f.name, f.min, f.max, f.get(defaults)});
  if (!ParseFields(rest, specs, values, "field", "shape", key_token.column)) return false;
  for (size_t i = 0; i < fields.size(); ++i) {
    fields[i].set(program_.header.shape, static_cast<uint32_t>(values[i]));
  }
  return true;
}

bool TextParser::ParseFault(const Token& key_token, TokenScanner& rest) {
  const FieldSpec nth[] = {{"nth", 0, kMaxFailNth, 0}};
  uint64_t value[1] = {0};
  if (!ParseFields(rest, nth, value, "field", "fault", key_token.column)) return false;
  program_.header.fault.fail_nth = static_cast<uint32_t>(value[0]);
  return true;
}

}  // namespace hvfuzz::prog::internal
