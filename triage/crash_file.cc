// SPDX-License-Identifier: Apache-2.0
#include "triage/crash_file.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <regex>
#include <system_error>

#include "fuzz/prog/binary_codec.h"
#include "fuzz/prog/op_set.h"
#include "fuzz/prog/text_codec.h"

namespace hvfuzz::triage {
namespace {

namespace fs = std::filesystem;

bool StartsWith(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }
bool EndsWith(std::string_view s, std::string_view p) {
  return s.size() >= p.size() && s.substr(s.size() - p.size()) == p;
}

bool ReadFile(const std::string& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  out->assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return true;
}

bool IsSlice(std::string_view s) {
  return s == "memslots" || s == "mmu" || s == "gpc" || s == "xen" || s == "global" || s == "vm";
}

// key=value lines of `<crash>.session`; missing file -> empty.
std::vector<std::pair<std::string, std::string>> ReadSessionRecord(const std::string& crash) {
  std::vector<std::pair<std::string, std::string>> kv;
  std::ifstream in(crash + ".session");
  for (std::string line; std::getline(in, line);) {
    const size_t eq = line.find('=');
    if (eq == std::string::npos) continue;
    kv.emplace_back(line.substr(0, eq), line.substr(eq + 1));
  }
  return kv;
}

std::vector<std::string> SplitCommas(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    const size_t comma = std::min(s.find(',', start), s.size());
    if (comma > start) out.push_back(s.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

// The title in "SUMMARY: hvfuzz: <title>" of the report beside the crash, if any.
std::string SummaryTitle(const std::string& crash) {
  std::ifstream in(crash + ".txt");
  std::string title;
  for (std::string line; std::getline(in, line);) {
    if (StartsWith(line, "SUMMARY: hvfuzz: ")) title = line.substr(17);
  }
  return title;
}

}  // namespace

bool LooksLikeCrashFile(std::string_view path) {
  const std::string name = fs::path(path).filename().string();
  if (name.empty() || name[0] == '.') return false;
  if (EndsWith(name, ".txt") || EndsWith(name, ".session")) return false;
  if (EndsWith(name, ".hvp")) return true;
  const std::string parent = fs::path(path).parent_path().filename().string();
  if (StartsWith(name, "id:")) return parent == "crashes";  // AFL++: crashes/ only
  for (std::string_view prefix : {"crash-", "leak-", "timeout-", "oom-", "slow-unit-"}) {
    if (StartsWith(name, prefix)) return true;
  }
  return false;
}

std::vector<std::string> FindCrashFiles(const std::vector<std::string>& paths,
                                        std::vector<std::string>* errors) {
  std::vector<std::string> found;
  for (const std::string& root : paths) {
    std::error_code ec;
    const fs::file_status st = fs::status(root, ec);
    if (ec || !fs::exists(st)) {
      errors->push_back(root + ": no such file or directory");
      continue;
    }
    if (!fs::is_directory(st)) {
      found.push_back(root);  // named explicitly: always taken
      continue;
    }
    if (fs::exists(fs::path(root) / std::string(kRunMarker))) {
      errors->push_back(root + ": a triage run (its programs are results, not crashes): skipped");
      continue;
    }
    fs::recursive_directory_iterator it(root, fs::directory_options::skip_permission_denied, ec);
    for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      const fs::path& p = it->path();
      if (it->is_directory()) {
        const std::string dir = p.filename().string();
        // AFL++'s queue and hangs are not crashes; triage runs are our own output.
        if (dir == "queue" || dir == "hangs" || dir == ".state" || dir == ".synced" ||
            fs::exists(p / std::string(kRunMarker))) {
          it.disable_recursion_pending();
        }
        continue;
      }
      if (it->is_regular_file() && LooksLikeCrashFile(p.string())) found.push_back(p.string());
    }
    if (ec) errors->push_back(root + ": " + ec.message());
  }
  std::sort(found.begin(), found.end());
  found.erase(std::unique(found.begin(), found.end()), found.end());
  return found;
}

CrashFile DescribeCrashFile(const std::string& path, const std::string& target_override,
                            const std::optional<std::vector<std::string>>& bugs_override) {
  CrashFile c;
  c.path = path;
  c.backend = "controlled";
  const std::string name = fs::path(path).filename().string();
  if (EndsWith(name, ".hvp")) {
    c.engine = "text";
  } else if (StartsWith(name, "id:")) {
    c.engine = "afl";
  } else {
    c.engine = "libfuzzer";
  }
  std::smatch m;
  static const std::regex kFindings("(^|/)findings/([a-z]+)/");
  static const std::regex kSession("(^|/)sessions/([a-z]+)-[0-9]");
  if (std::regex_search(path, m, kFindings) && IsSlice(m[2].str())) c.target = m[2].str();
  if (c.target.empty() && std::regex_search(path, m, kSession) && IsSlice(m[2].str())) {
    c.target = m[2].str();
  }
  for (const auto& [key, value] : ReadSessionRecord(path)) {
    if (key == "target" && IsSlice(value)) c.target = value;
    if (key == "engine" && !value.empty()) c.engine = value;
    if (key == "backend" && !value.empty()) c.backend = value;
    if (key == "bugs") {
      c.bugs = SplitCommas(value);
      c.bugs_known = true;
    }
  }
  if (!target_override.empty()) c.target = target_override;
  if (c.target.empty()) c.target = "vm";
  if (bugs_override.has_value()) {
    c.bugs = *bugs_override;
    c.bugs_known = true;
  }
  c.expected_title = SummaryTitle(path);
  return c;
}

std::optional<prog::Program> LoadProgram(const CrashFile& crash, std::string* error) {
  std::string bytes;
  if (!ReadFile(crash.path, &bytes)) {
    *error = crash.path + ": cannot open";
    return std::nullopt;
  }
  if (StartsWith(bytes, "# hvfuzz-prog")) {
    prog::ParseResult r = prog::Parse(bytes, prog::ParseMode::kStrict, crash.path);
    if (!r.ok()) {
      *error = r.error->ToString();
      return std::nullopt;
    }
    return *r.program;
  }
  std::optional<prog::OpSet> ops = prog::OpSet::ForSlices(crash.target);
  if (!ops.has_value()) {
    *error = crash.path + ": unknown target slice '" + crash.target + "'";
    return std::nullopt;
  }
  return prog::Decode({reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()},
                      prog::DecodeOptions{*ops});
}

}  // namespace hvfuzz::triage
