// SPDX-License-Identifier: Apache-2.0
// Promote, in order: read the bucket; re-check the finding with and without switches; find a
// free name (or the existing file for this signature); copy the crash; write the regression.
#include "triage/promote.h"

#include <filesystem>
#include <map>

#include "fuzz/prog/text_codec.h"
#include "triage/bucket.h"
#include "triage/output_files.h"
#include "triage/regression_file.h"
#include "triage/reproduce.h"

namespace hvfuzz::triage {
namespace {

namespace fs = std::filesystem;

std::map<std::string, std::string> ReadRecord(const std::string& text) {
  std::map<std::string, std::string> kv;
  size_t pos = 0;
  while (pos < text.size()) {
    const size_t end = std::min(text.find('\n', pos), text.size());
    const std::string line = text.substr(pos, end - pos);
    pos = end + 1;
    const size_t eq = line.find('=');
    if (eq != std::string::npos && line.compare(0, 7, "member=") != 0) {
      kv[line.substr(0, eq)] = line.substr(eq + 1);
    }
  }
  return kv;
}

std::vector<std::string> SplitCommas(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < s.size()) {
    const size_t comma = std::min(s.find(',', start), s.size());
    if (comma > start) out.push_back(s.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

}  // namespace

bool Promote(const PromoteOptions& o, PromoteResult* result, std::string* error) {
  std::string record_text, program_text;
  const std::string record_path = o.bucket_dir + "/bucket.txt";
  const std::string program_path = o.bucket_dir + "/program.hvp";
  if (!ReadWholeFile(record_path, &record_text) || !ReadWholeFile(program_path, &program_text)) {
    *error = o.bucket_dir + ": not a triage bucket (needs bucket.txt and program.hvp)";
    return false;
  }
  std::map<std::string, std::string> rec = ReadRecord(record_text);
  for (const char* key : {"signature", "kind", "title", "target", "source"}) {
    if (rec[key].empty()) {
      *error = record_path + ": missing '" + key + "='";
      return false;
    }
  }
  prog::ParseResult parsed = prog::Parse(program_text, prog::ParseMode::kStrict, program_path);
  if (!parsed.ok()) {
    *error = parsed.error->ToString();
    return false;
  }
  Regression r;
  r.bugs = SplitCommas(rec["bugs"]);
  r.kind = rec["kind"];
  r.title = rec["title"];
  r.signature = rec["signature"];
  r.minimized = rec["original"] + " -> " + rec["minimized"];
  r.program = *parsed.program;

  // The regression must hold now, as the test will check it.
  ReproduceOptions ro;
  std::optional<check::Finding> with = RunControlled(r.program, r.bugs, ro);
  if (!with.has_value() || with->Signature() != r.signature) {
    *error = program_path + ": no longer gives " + r.signature + " (got " +
             (with.has_value() ? with->Signature() : std::string("no finding")) + ")";
    return false;
  }
  r.clean_without_bugs = !r.bugs.empty() && !RunControlled(r.program, {}, ro).has_value();
  if (!r.bugs.empty() && !r.clean_without_bugs) {
    *error = program_path + ": also fails with every switch off (a finding on the fixed model: "
             "promote it by hand with expect-clean-without-bugs: no after reading it)";
    return false;
  }

  // An existing regression for this signature wins; otherwise the first free name.
  std::error_code ec;
  fs::create_directories(o.tests_dir, ec);
  for (const fs::directory_entry& e : fs::directory_iterator(o.tests_dir, ec)) {
    std::string text;
    if (e.path().extension() != ".hvp" || !ReadWholeFile(e.path().string(), &text)) continue;
    RegressionParse existing = ParseRegression(text, e.path().string());
    if (existing.regression.has_value() && existing.regression->signature == r.signature) {
      result->regression_file = e.path().string();
      result->already_promoted = true;
      return true;
    }
  }
  std::string base = o.name;
  if (base.empty()) base = Slug(rec["bugs"].empty() ? r.title : rec["bugs"]);
  std::string path = o.tests_dir + "/" + base + ".hvp";
  for (int n = 2; fs::exists(path); ++n) path = o.tests_dir + "/" + base + "-" + std::to_string(n) + ".hvp";
  r.name = fs::path(path).stem().string();

  // The crash file itself, for the corpus of later sessions.
  const std::string source = rec["source"];
  const bool text_source = fs::path(source).extension() == ".hvp";
  const std::string corpus_dir = text_source ? o.corpus_dir : o.corpus_dir + "/" + rec["target"];
  fs::create_directories(corpus_dir, ec);
  std::string corpus_file = corpus_dir + "/" + fs::path(source).filename().string();
  bool same = false;
  if (fs::exists(source)) {
    if (!CopyNewFile(source, corpus_file, &same, error)) return false;
    result->corpus_file = corpus_file;
    r.corpus = corpus_file;
  }
  r.source = source;
  if (!WriteNewFile(path, FormatRegression(r), error)) return false;
  result->regression_file = path;
  return true;
}

}  // namespace hvfuzz::triage
