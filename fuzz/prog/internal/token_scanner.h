// SPDX-License-Identifier: Apache-2.0
// TokenScanner: whitespace-separated tokens of one line of program text, with 1-based columns
// for diagnostics. A token that starts with '#' begins a trailing comment: the line ends there.
#pragma once

#include <optional>
#include <string_view>

namespace hvfuzz::prog::internal {

struct Token {
  std::string_view text;
  int column = 0;  // 1-based column of text[0] in its line
};

class TokenScanner {
 public:
  // `line` without its newline; `column` is the 1-based column of line[0].
  explicit TokenScanner(std::string_view line, int column = 1) : line_(line), base_(column) {}

  // The next token, or nullopt at the end of the line (or at a trailing comment).
  std::optional<Token> Next() {
    while (pos_ < line_.size() && IsSpace(line_[pos_])) ++pos_;
    if (pos_ >= line_.size() || line_[pos_] == '#') {
      pos_ = line_.size();
      return std::nullopt;
    }
    const size_t start = pos_;
    while (pos_ < line_.size() && !IsSpace(line_[pos_])) ++pos_;
    return Token{line_.substr(start, pos_ - start), base_ + static_cast<int>(start)};
  }
  // The column just past the end of the line (where "missing ..." diagnostics point).
  int EndColumn() const { return base_ + static_cast<int>(line_.size()); }

  static bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r'; }

 private:
  std::string_view line_;
  int base_;
  size_t pos_ = 0;
};

// "name=value" split at the first '='; nullopt when the token has no '='.
struct KeyValue {
  Token key;
  Token value;
};
inline std::optional<KeyValue> SplitKeyValue(const Token& t) {
  const size_t eq = t.text.find('=');
  if (eq == std::string_view::npos) return std::nullopt;
  return KeyValue{{t.text.substr(0, eq), t.column},
                  {t.text.substr(eq + 1), t.column + static_cast<int>(eq) + 1}};
}

}  // namespace hvfuzz::prog::internal
