// SPDX-License-Identifier: Apache-2.0
#include "triage/regression_file.h"

#include "fuzz/check/finding.h"
#include "fuzz/prog/text_codec.h"
#include "model/bug_switches.h"

namespace hvfuzz::triage {
namespace {

constexpr std::string_view kVersionLine = "# hvfuzz-prog v1\n";
constexpr std::string_view kBanner =
    "#@ hvfuzz regression v1 -- written by ./hvfuzz promote (hvfuzz_triage_tool); may be edited by "
    "hand\n";

std::string Join(const std::vector<std::string>& v) {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) out += (i ? "," : "") + v[i];
  return out;
}

std::string Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return std::string(s);
}

std::string At(std::string_view file, int line, int col, const std::string& msg) {
  return std::string(file) + ":" + std::to_string(line) + ":" + std::to_string(col) + ": " + msg;
}

}  // namespace

std::string FormatRegression(const Regression& r) {
  std::string out(kVersionLine);
  out += kBanner;
  auto line = [&](std::string_view key, const std::string& value) {
    if (!value.empty()) out += "#@ " + std::string(key) + ": " + value + "\n";
  };
  line("name", r.name);
  out += "#@ bugs: " + Join(r.bugs) + "\n";
  line("expect-kind", r.kind);
  line("expect-title", r.title);
  line("expect-signature", r.signature);
  if (!r.clean_without_bugs) line("expect-clean-without-bugs", "no");
  line("source", r.source);
  line("corpus", r.corpus);
  line("minimized", r.minimized);
  // Print starts with the version line: keep the one above.
  const std::string program = prog::Print(r.program);
  out += program.substr(program.find('\n') + 1);
  return out;
}

RegressionParse ParseRegression(std::string_view text, std::string_view filename) {
  RegressionParse out;
  Regression r;
  bool have_bugs = false;
  int line_no = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    const size_t end = std::min(text.find('\n', pos), text.size());
    const std::string_view line = text.substr(pos, end - pos);
    ++line_no;
    pos = end + 1;
    if (line.substr(0, 3) != "#@ ") continue;
    const std::string_view body = line.substr(3);
    const size_t colon = body.find(": ");
    const std::string key = colon == std::string_view::npos ? "" : std::string(body.substr(0, colon));
    const bool is_key = !key.empty() && key.find_first_not_of("abcdefghijklmnopqrstuvwxyz-") ==
                                            std::string::npos;
    if (!is_key) {
      if (body.substr(0, 17) == "hvfuzz regression") continue;  // the banner
      out.error = At(filename, line_no, 4, "expected '#@ key: value'");
      return out;
    }
    const std::string value = Trim(body.substr(colon + 2));
    const int col = static_cast<int>(3 + colon + 3);
    if (key == "name") {
      r.name = value;
    } else if (key == "bugs") {
      have_bugs = true;
      size_t start = 0;
      while (start < value.size()) {
        const size_t comma = std::min(value.find(',', start), value.size());
        const std::string bug = Trim(std::string_view(value).substr(start, comma - start));
        if (!model::BugSwitches::FromName(bug).has_value()) {
          out.error = At(filename, line_no, col, "unknown bug switch '" + bug + "'");
          return out;
        }
        r.bugs.push_back(bug);
        start = comma + 1;
      }
    } else if (key == "expect-kind") {
      if (!check::FindingKindFromName(value).has_value()) {
        out.error = At(filename, line_no, col, "unknown finding kind '" + value + "'");
        return out;
      }
      r.kind = value;
    } else if (key == "expect-title") {
      r.title = value;
    } else if (key == "expect-signature") {
      r.signature = value;
    } else if (key == "expect-clean-without-bugs") {
      if (value != "yes" && value != "no") {
        out.error = At(filename, line_no, col, "expected 'yes' or 'no'");
        return out;
      }
      r.clean_without_bugs = value == "yes";
    } else if (key == "source") {
      r.source = value;
    } else if (key == "corpus") {
      r.corpus = value;
    } else if (key == "minimized") {
      r.minimized = value;
    } else {
      out.error = At(filename, line_no, 4, "unknown regression key '" + key + "'");
      return out;
    }
  }
  const char* missing = !have_bugs ? "bugs" : r.kind.empty() ? "expect-kind"
                        : r.signature.empty()                 ? "expect-signature"
                                                              : nullptr;
  if (missing != nullptr) {
    out.error = At(filename, 1, 1, std::string("missing '#@ ") + missing + ":' line");
    return out;
  }
  if (r.signature.substr(0, r.signature.find('|')) != r.kind) {
    out.error = At(filename, 1, 1, "expect-signature does not start with expect-kind '" + r.kind + "'");
    return out;
  }
  prog::ParseResult parsed = prog::Parse(text, prog::ParseMode::kStrict, filename);
  if (!parsed.ok()) {
    out.error = parsed.error->ToString();
    return out;
  }
  r.program = *parsed.program;
  out.regression = std::move(r);
  return out;
}

}  // namespace hvfuzz::triage
