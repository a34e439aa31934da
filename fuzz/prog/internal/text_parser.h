// SPDX-License-Identifier: Apache-2.0
// TextParser: the state of one Parse() call (text_codec.h), one line at a time. Split by
// concern: text_parser.cc (lines, ops, schedule, completion), text_parser_header.cc (the
// version line and the "# key: value" header), text_parser_fields.cc (name=value lists with
// their strict/lenient rules).
//
// Every handler returns false when the parse must stop: that happens only in kStrict, after
// Problem() recorded the error. In kLenient, Problem() records a warning and returns true, and
// the handler repairs (drops, clamps or defaults) and goes on.
#pragma once

#include <array>
#include <bitset>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz/prog/internal/text_keys.h"
#include "fuzz/prog/internal/token_scanner.h"
#include "fuzz/prog/text_codec.h"

namespace hvfuzz::prog::internal {

// One name=value field a line may carry: an op argument, a shape field, a strategy or fault
// parameter.
struct FieldSpec {
  std::string_view name;
  uint64_t min = 0;
  uint64_t max = 0;
  uint64_t default_value = 0;
  bool optional = false;  // absent is canonical (the default), not a "missing" problem
};

inline constexpr size_t kMaxWarnings = 100;

class TextParser {
 public:
  TextParser(ParseMode mode, std::string_view filename) : mode_(mode), file_(filename) {}
  ParseResult Run(std::string_view text);

 private:
  bool ParseLine(std::string_view line);
  bool ParseVersion(TokenScanner& rest, int column);
  bool ParseHeader(HeaderKey key, const Token& key_token, TokenScanner& rest);
  bool ParseThreads(const Token& key_token, TokenScanner& rest);
  bool ParseSeed(const Token& key_token, TokenScanner& rest);
  bool ParseStrategy(const Token& key_token, TokenScanner& rest);
  bool ParseShape(const Token& key_token, TokenScanner& rest);
  bool ParseFault(const Token& key_token, TokenScanner& rest);
  bool ParseOp(const Token& thread_token, TokenScanner& rest);
  // The thread an op line names, or nullopt when the line is dropped (lenient) or the parse
  // stops (strict: error_ is set).
  std::optional<int> ThreadOf(const Token& thread_token);
  bool ParseSchedule(int column, TokenScanner& rest);
  // Strict: the whole header must precede the first op (and exist at all).
  bool CheckHeaderComplete(int column);
  bool Finish();

  // Parses the rest of the line as name=value fields of `specs` into `values` (same indexes).
  // Messages call them `noun` ("argument", "field") of `what` ("memslot.set", "shape");
  // `anchor` is the column "missing ..." problems point at.
  bool ParseFields(TokenScanner& rest, std::span<const FieldSpec> specs, std::span<uint64_t> values,
                   std::string_view noun, std::string_view what, int anchor);
  // One number token within [min, max]; lenient: clamped (and `fallback` when malformed).
  bool ParseValue(const Token& t, std::string_view name, uint64_t min, uint64_t max,
                  uint64_t fallback, uint64_t* value);
  // Strict: an error when the line has another token. Lenient: the rest is dropped.
  bool ExpectEnd(TokenScanner& rest);

  // A problem at `column` of the current line: the error (strict; returns false) or a warning
  // "<message>; <repair>" (lenient; returns true, and the caller makes that repair).
  bool Problem(int column, std::string_view message, std::string_view repair);
  bool strict() const { return mode_ == ParseMode::kStrict; }

  ParseMode mode_;
  std::string file_;
  int line_ = 0;

  Program program_;
  std::array<std::vector<model::OpCall>, kMaxThreads> ops_;
  int declared_threads_ = 0;  // 0 until "# threads:" is seen
  int max_thread_used_ = -1;
  std::bitset<kHeaderKeys.size()> seen_header_;
  bool seen_version_ = false;
  bool seen_op_ = false;
  bool seen_schedule_ = false;
  bool header_checked_ = false;

  std::optional<Diagnostic> error_;
  std::vector<Diagnostic> warnings_;
};

}  // namespace hvfuzz::prog::internal
