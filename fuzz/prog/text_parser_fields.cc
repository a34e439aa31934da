// SPDX-License-Identifier: Apache-2.0
// Parser, field part: name=value lists (op arguments, shape, strategy and fault fields) and
// single numbers, with the strict/lenient rules of SYNTAX.md (Errors and repairs).
#include <algorithm>

#include "fuzz/prog/internal/number_text.h"
#include "fuzz/prog/internal/spelling.h"
#include "fuzz/prog/internal/text_parser.h"

namespace hvfuzz::prog::internal {
namespace {

std::string Format(std::string_view name, uint64_t v) {
  return FormatNumber(v, PrintsInHex(name) || name == "seed");
}

}  // namespace

bool TextParser::ParseFields(TokenScanner& rest, std::span<const FieldSpec> specs,
                             std::span<uint64_t> values, std::string_view noun,
                             std::string_view what, int anchor) {
  const std::string of = " for " + std::string(what);
  std::vector<bool> seen(specs.size());
  for (size_t i = 0; i < specs.size(); ++i) values[i] = specs[i].default_value;
  while (const std::optional<Token> t = rest.Next()) {
    const std::optional<KeyValue> kv = SplitKeyValue(*t);
    if (!kv) {
      if (!Problem(t->column, "expected name=value, got '" + std::string(t->text) + "'",
                   "dropped")) {
        return false;
      }
      continue;
    }
    const auto it = std::find_if(specs.begin(), specs.end(),
                                 [&](const FieldSpec& s) { return s.name == kv->key.text; });
    if (it == specs.end()) {
      std::vector<std::string_view> names;
      for (const FieldSpec& s : specs) names.push_back(s.name);
      const std::string known = names.empty()
                                    ? " (it has none)"
                                    : " (" + std::string(noun) + "s: " + JoinNames(names) + ")";
      if (!Problem(
              kv->key.column,
              "unknown " + std::string(noun) + " '" + std::string(kv->key.text) + "'" + of + known,
              "dropped")) {
        return false;
      }
      continue;
    }
    const size_t i = it - specs.begin();
    if (seen[i] &&
        !Problem(kv->key.column,
                 "duplicate " + std::string(noun) + " '" + std::string(it->name) + "'" + of,
                 "the last counts")) {
      return false;
    }
    seen[i] = true;
    if (!ParseValue(kv->value, it->name, it->min, it->max, it->default_value, &values[i])) {
      return false;
    }
  }
  for (size_t i = 0; i < specs.size(); ++i) {
    if (!seen[i] && !specs[i].optional &&
        !Problem(anchor,
                 "missing " + std::string(noun) + " '" + std::string(specs[i].name) + "'" + of,
                 "default " + Format(specs[i].name, specs[i].default_value))) {
      return false;
    }
  }
  return true;
}

bool TextParser::ParseValue(const Token& t, std::string_view name, uint64_t min, uint64_t max,
                            uint64_t fallback, uint64_t* value) {
  const std::string field(name);
  uint64_t v = 0;
  switch (ParseNumber(t.text, &v)) {
    case NumberStatus::kOk:
      break;
    case NumberStatus::kOverflow:
      *value = max;
      return Problem(t.column, field + "=" + std::string(t.text) + " does not fit in 64 bits",
                     "clamped to " + Format(name, max));
    case NumberStatus::kMalformed:
      *value = fallback;
      return Problem(t.column,
                     t.text.empty() ? "missing value for " + field
                                    : "bad number '" + std::string(t.text) + "' for " + field +
                                          " (decimal or 0x-hex)",
                     "default " + Format(name, fallback));
  }
  if (v < min || v > max) {
    *value = std::clamp(v, min, max);
    return Problem(t.column,
                   field + "=" + std::string(t.text) + " is out of range " + Format(name, min) +
                       ".." + Format(name, max),
                   "clamped to " + Format(name, *value));
  }
  *value = v;
  return true;
}

bool TextParser::ExpectEnd(TokenScanner& rest) {
  if (const std::optional<Token> t = rest.Next()) {
    return Problem(t->column, "unexpected '" + std::string(t->text) + "'", "rest of line dropped");
  }
  return true;
}

}  // namespace hvfuzz::prog::internal
