// SPDX-License-Identifier: Apache-2.0
// Parser driver: splits lines, classifies each one (blank, comment, version, header, op,
// schedule) and completes the program at the end. Grammar: SYNTAX.md.
#include "fuzz/prog/internal/text_parser.h"

#include <algorithm>
#include <cctype>

#include "fuzz/prog/internal/number_text.h"
#include "fuzz/prog/internal/spelling.h"

namespace hvfuzz::prog {
namespace internal {
namespace {

bool IsKeyChar(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'; }

bool IsDecimal(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::string Quote(std::string_view s) { return "'" + std::string(s) + "'"; }

}  // namespace

ParseResult TextParser::Run(std::string_view text) {
  bool ok = true;
  size_t pos = 0;
  while (ok) {
    const size_t newline = text.find('\n', pos);
    ++line_;
    ok = ParseLine(text.substr(pos, newline == std::string_view::npos ? newline : newline - pos));
    if (newline == std::string_view::npos) break;
    pos = newline + 1;
  }
  if (ok) ok = Finish();
  ParseResult result;
  result.warnings = std::move(warnings_);
  if (ok) {
    result.program = std::move(program_);
  } else {
    result.error = std::move(error_);
  }
  return result;
}

bool TextParser::ParseLine(std::string_view line) {
  size_t i = 0;
  while (i < line.size() && TokenScanner::IsSpace(line[i])) ++i;
  const bool is_version = [&] {
    size_t j = i + 1;
    while (j < line.size() && TokenScanner::IsSpace(line[j])) ++j;
    const size_t end = j + kVersionPrefix.size();
    return i < line.size() && line[i] == '#' && line.substr(j).starts_with(kVersionPrefix) &&
           (end == line.size() || TokenScanner::IsSpace(line[end]));
  }();
  if (line_ == 1 && !is_version && strict()) {
    return Problem(static_cast<int>(i) + 1, "expected " + Quote(kVersionLine) + " on line 1", "");
  }
  if (i == line.size()) return true;  // blank
  if (line[i] == '#') {
    size_t j = i + 1;
    while (j < line.size() && TokenScanner::IsSpace(line[j])) ++j;
    if (is_version) {
      TokenScanner rest(line.substr(j + kVersionPrefix.size()),
                        static_cast<int>(j + kVersionPrefix.size()) + 1);
      return ParseVersion(rest, static_cast<int>(j) + 1);
    }
    size_t k = j;
    while (k < line.size() && IsKeyChar(line[k])) ++k;
    size_t colon = k;
    while (colon < line.size() && TokenScanner::IsSpace(line[colon])) ++colon;
    if (k == j || line[j] < 'a' || line[j] > 'z' || colon >= line.size() || line[colon] != ':') {
      return true;  // a comment
    }
    const Token key{line.substr(j, k - j), static_cast<int>(j) + 1};
    TokenScanner rest(line.substr(colon + 1), static_cast<int>(colon) + 2);
    const auto it = std::find(kHeaderKeys.begin(), kHeaderKeys.end(), key.text);
    if (it == kHeaderKeys.end()) {
      return Problem(
          key.column,
          "unknown header field " + Quote(key.text) + " (fields: " + JoinNames(kHeaderKeys) + ")",
          "line dropped");
    }
    return ParseHeader(static_cast<HeaderKey>(it - kHeaderKeys.begin()), key, rest);
  }
  if (line.substr(i).starts_with(kScheduleKey)) {
    TokenScanner rest(line.substr(i + kScheduleKey.size()),
                      static_cast<int>(i + kScheduleKey.size()) + 1);
    return ParseSchedule(static_cast<int>(i) + 1, rest);
  }
  TokenScanner rest(line);
  const std::optional<Token> first = rest.Next();
  if (!first) return true;  // only a trailing comment
  return ParseOp(*first, rest);
}

std::optional<int> TextParser::ThreadOf(const Token& thread_token) {
  const std::string_view tt = thread_token.text;
  uint64_t thread = 0;
  if (tt.size() < 2 || tt[0] != 't' || !IsDecimal(tt.substr(1)) ||
      ParseNumber(tt.substr(1), &thread) != NumberStatus::kOk) {
    Problem(thread_token.column,
            "expected a thread (t0..t" + std::to_string(kMaxThreads - 1) +
                ") or 'schedule:', got " + Quote(tt),
            "line dropped");
    return std::nullopt;
  }
  if (thread >= kMaxThreads) {
    Problem(thread_token.column,
            "thread " + Quote(tt) + " is out of range t0..t" + std::to_string(kMaxThreads - 1),
            "line dropped");
    return std::nullopt;
  }
  if (declared_threads_ > 0 && thread >= static_cast<uint64_t>(declared_threads_)) {
    if (!Problem(thread_token.column,
                 "thread " + Quote(tt) + " is not declared by '# threads: " +
                     std::to_string(declared_threads_) + "'",
                 "threads raised to " + std::to_string(thread + 1))) {
      return std::nullopt;
    }
    declared_threads_ = static_cast<int>(thread) + 1;
  }
  if (ops_[thread].size() >= kMaxOpsPerThread) {
    Problem(thread_token.column,
            Quote(tt) + " has more than " + std::to_string(kMaxOpsPerThread) + " operations",
            "line dropped");
    return std::nullopt;
  }
  return static_cast<int>(thread);
}

bool TextParser::ParseOp(const Token& thread_token, TokenScanner& rest) {
  if (!CheckHeaderComplete(thread_token.column)) return false;
  if (seen_schedule_ && strict()) {
    return Problem(thread_token.column, "operation after the schedule", "");
  }
  seen_op_ = true;
  const std::optional<int> thread = ThreadOf(thread_token);
  if (!thread) return !error_.has_value();  // dropped (lenient) or the error (strict)
  const std::string_view tt = thread_token.text;
  const std::optional<Token> name = rest.Next();
  if (!name) {
    return Problem(rest.EndColumn(), "missing operation after " + Quote(tt), "line dropped");
  }
  const std::optional<uint16_t> op = model::FindOperation(name->text);
  if (!op) {
    return Problem(name->column,
                   "unknown operation " + Quote(name->text) + SuggestOperation(name->text),
                   "line dropped");
  }
  const model::OpSpec& spec = model::Operations()[*op];
  const int nargs = std::min<int>(spec.nargs, model::kMaxOpArgs);
  // The arguments in table order, then the optional per-call fault point (`fail=n`).
  std::array<FieldSpec, model::kMaxOpArgs + 1> specs;
  for (int a = 0; a < nargs; ++a) specs[a] = {spec.args[a].name, 0, spec.args[a].max, 0};
  specs[nargs] = {kOpFailKey, 0, model::kMaxOpFailNth, 0, /*optional=*/true};
  std::array<uint64_t, model::kMaxOpArgs + 1> values{};
  if (!ParseFields(rest, std::span(specs).first(nargs + 1), std::span(values).first(nargs + 1),
                   "argument", spec.name, name->column)) {
    return false;
  }
  model::OpCall call;
  call.op = *op;
  for (int a = 0; a < nargs; ++a) call.args[a] = static_cast<uint32_t>(values[a]);
  call.fail_nth = static_cast<uint8_t>(values[nargs]);
  ops_[*thread].push_back(call);
  max_thread_used_ = std::max(max_thread_used_, *thread);
  return true;
}

bool TextParser::ParseSchedule(int column, TokenScanner& rest) {
  if (!CheckHeaderComplete(column)) return false;
  seen_schedule_ = true;
  while (const std::optional<Token> t = rest.Next()) {
    uint64_t v = 0;
    const bool two_hex = t->text.size() == 2 &&
                         std::isxdigit(static_cast<unsigned char>(t->text[0])) &&
                         std::isxdigit(static_cast<unsigned char>(t->text[1]));
    if (!two_hex) {
      const bool lenient_ok =
          t->text.size() <= 2 && ParseNumber("0x" + std::string(t->text), &v) == NumberStatus::kOk;
      if (!Problem(t->column, "schedule byte " + Quote(t->text) + " is not two hex digits",
                   lenient_ok ? "read as hex" : "dropped")) {
        return false;
      }
      if (!lenient_ok) continue;
    } else {
      ParseNumber("0x" + std::string(t->text), &v);
    }
    if (program_.schedule.size() >= kMaxScheduleBytes) {
      return Problem(t->column,
                     "schedule longer than " + std::to_string(kMaxScheduleBytes) + " bytes",
                     "the rest dropped");
    }
    program_.schedule.push_back(static_cast<uint8_t>(v));
  }
  return true;
}

bool TextParser::CheckHeaderComplete(int column) {
  if (header_checked_ || !strict()) return true;
  header_checked_ = true;
  for (size_t k = 0; k < kHeaderKeys.size(); ++k) {
    if (!seen_header_[k]) {
      return Problem(column,
                     "missing header line '# " + std::string(kHeaderKeys[k]) +
                         ":' (a strict program states the whole header before its operations)",
                     "");
    }
  }
  return true;
}

bool TextParser::Finish() {
  if (!CheckHeaderComplete(1)) return false;
  if (!strict()) {
    line_ = 1;
    if (!seen_version_) Problem(1, "missing version line " + Quote(kVersionLine), "read as v1");
    for (size_t k = 0; k < kHeaderKeys.size(); ++k) {
      if (!seen_header_[k]) {
        Problem(1, "missing header line '# " + std::string(kHeaderKeys[k]) + ":'", "defaults");
      }
    }
  }
  const int threads = std::max({declared_threads_, max_thread_used_ + 1, 1});
  program_.threads.assign(ops_.begin(), ops_.begin() + threads);
  if (program_.header.strategy != Strategy::kPct) program_.header.pct_depth = kDefaultPctDepth;
  return true;
}

bool TextParser::Problem(int column, std::string_view message, std::string_view repair) {
  Diagnostic d{file_, line_, column, std::string(message)};
  if (strict()) {
    error_ = std::move(d);
    return false;
  }
  if (warnings_.size() < kMaxWarnings) {
    if (!repair.empty()) d.message += "; " + std::string(repair);
    warnings_.push_back(std::move(d));
  } else if (warnings_.size() == kMaxWarnings) {
    warnings_.push_back({file_, line_, column, "too many warnings; the rest are not shown"});
  }
  return true;
}

}  // namespace internal

std::string Diagnostic::ToString() const {
  return file + ":" + std::to_string(line) + ":" + std::to_string(column) + ": " + message;
}

ParseResult Parse(std::string_view text, ParseMode mode, std::string_view filename) {
  return internal::TextParser(mode, filename).Run(text);
}

}  // namespace hvfuzz::prog
