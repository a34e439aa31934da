// SPDX-License-Identifier: Apache-2.0
// TriageRun, in order (triage_run.h for the files written):
//   1. refuse an existing out_dir (never overwrite), check the switch names, find the inputs;
//   2. load and reproduce each input; reproduced ones go into buckets, the rest into `lost`;
//   3. per bucket: minimize the representative keeping the signature, replay the minimized
//      program identity_runs times comparing report bytes, write the bucket's files;
//   4. write index.html.
#include "triage/triage_run.h"

#include <filesystem>

#include "fuzz/check/report.h"
#include "fuzz/prog/text_codec.h"
#include "triage/bucket.h"
#include "triage/crash_file.h"
#include "triage/index_html.h"
#include "triage/output_files.h"
#include "triage/pictures.h"

namespace hvfuzz::triage {
namespace {

namespace fs = std::filesystem;

std::string Join(const std::vector<std::string>& v) {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) out += (i ? "," : "") + v[i];
  return out;
}

ProgramSize SizeOf(const prog::Program& p) {
  return {static_cast<int>(p.threads.size()), p.num_ops(), static_cast<int>(p.schedule.size())};
}

// The report of `f` for program `p`, with its replay line naming `file`.
std::string ReportText(check::Finding f, const prog::Program& p, const std::string& file) {
  f.replay.program_text = prog::Print(p);
  f.replay.crash_file = file;
  return check::RenderText(f);
}

// Step 3 for one bucket.
bool WriteBucket(const Bucket& b, const TriageOptions& o, IndexBucket* index, std::string* error,
                 std::FILE* log) {
  const BucketMember& rep = b.members[b.representative];
  Minimized min = MinimizeKeepingSignature(rep.program, rep.bugs, b.signature, o.reproduce);
  const std::vector<std::string> bugs =
      MinimizeSwitches(min.program, rep.bugs, b.signature, o.reproduce);
  const std::string dir = o.out_dir + "/" + b.key;
  const std::string program_name = dir + "/program.hvp";
  const std::string report = ReportText(min.finding, min.program, program_name);
  int identical = 0;
  for (int i = 0; i < o.identity_runs; ++i) {
    std::optional<check::Finding> again = RunControlled(min.program, bugs, o.reproduce);
    if (again.has_value() && ReportText(*again, min.program, program_name) == report) ++identical;
  }
  std::error_code ec;
  if (!fs::create_directory(dir, ec)) {
    *error = dir + ": cannot create (" + (ec ? ec.message() : "exists") + ")";
    return false;
  }
  index->key = b.key;
  index->kind = std::string(check::FindingKindName(min.finding.kind));
  index->title = min.finding.title;
  index->signature = b.signature;
  index->bugs = Join(bugs);
  index->original = SizeOf(rep.program);
  index->minimized = SizeOf(min.program);
  index->identical_runs = identical;
  index->identity_runs = o.identity_runs;
  std::string record = "key=" + b.key + "\nsignature=" + b.signature + "\nkind=" + index->kind +
                       "\ntitle=" + index->title + "\nbugs=" + index->bugs +
                       "\ntarget=" + rep.crash.target + "\nsource=" + rep.crash.path +
                       "\noriginal=" + index->original.ToString() +
                       "\nminimized=" + index->minimized.ToString() +
                       "\nminimize_predicate_calls=" + std::to_string(min.stats.predicate_calls) +
                       "\nidentical_replays=" + std::to_string(identical) + "/" +
                       std::to_string(o.identity_runs) + "\n";
  for (const BucketMember& m : b.members) {
    index->members.push_back({m.crash.path, m.crash.engine, m.crash.target, m.how});
    record += "member=" + m.crash.path + "\tengine=" + m.crash.engine + "\ttarget=" +
              m.crash.target + "\tbugs=" + Join(m.bugs) + "\thow=" + m.how + "\n";
  }
  const std::vector<std::pair<std::string, std::string>> files{
      {"report.txt", report},
      {"report.json", check::RenderJson([&] {
         check::Finding f = min.finding;
         f.replay.program_text = prog::Print(min.program);
         f.replay.crash_file = program_name;
         return f;
       }())},
      {"program.hvp", prog::Print(min.program)},
      {"original.hvp", prog::Print(rep.program)},
      {"original-report.txt", ReportText(b.finding, rep.program, rep.crash.path)},
      {"lock-graph.dot", LockGraphDot(min.finding)},
      {"interleaving.svg", SwimlaneSvg(min.finding)},
      {"bucket.txt", record},
  };
  for (const auto& [name, content] : files) {
    if (!WriteNewFile(dir + "/" + name, content, error)) return false;
  }
  index->has_svg_graph = HaveDot() && RenderDotToSvg(dir + "/lock-graph.dot", dir + "/lock-graph.svg");
  std::fprintf(log, "bucket %s  %zu crash file%s  %s -> %s  replay %d/%d identical  %s\n",
               b.key.c_str(), b.members.size(), b.members.size() == 1 ? "" : "s",
               index->original.ToString().c_str(), index->minimized.ToString().c_str(), identical,
               o.identity_runs, index->title.c_str());
  return true;
}

}  // namespace

bool TriageRun(const TriageOptions& o, TriageSummary* summary, std::string* error,
               std::FILE* log) {
  if (o.bugs.has_value()) {
    model::BugSwitches probe;
    std::string unknown;
    if (!ParseBugs(*o.bugs, &probe, &unknown)) {
      *error = "unknown bug switch '" + unknown + "' (./hvfuzz bugs lists them)";
      return false;
    }
  }
  std::vector<std::string> find_errors;
  const std::vector<std::string> files = FindCrashFiles(o.paths, &find_errors);
  for (const std::string& e : find_errors) std::fprintf(log, "hvfuzz: triage: %s\n", e.c_str());
  if (files.empty()) {
    *error = "no crash files under the given paths";
    return false;
  }
  std::error_code ec;
  if (fs::exists(o.out_dir)) {
    *error = o.out_dir + ": exists (triage never overwrites earlier results; choose another --out)";
    return false;
  }
  fs::create_directories(o.out_dir, ec);
  if (ec || !WriteNewFile(o.out_dir + "/" + std::string(kRunMarker), "hvfuzz triage run\n", error)) {
    if (ec) *error = o.out_dir + ": " + ec.message();
    return false;
  }

  Buckets buckets;
  std::vector<IndexLost> lost;
  for (const std::string& path : files) {
    CrashFile crash = DescribeCrashFile(path, o.target, o.bugs);
    ++summary->crash_files;
    std::string load_error;
    std::optional<prog::Program> program = LoadProgram(crash, &load_error);
    if (!program.has_value()) {
      lost.push_back({path, crash.engine, crash.target, crash.backend, Join(crash.bugs),
                      "bad input", load_error});
      ++summary->bad_inputs;
      continue;
    }
    std::string unknown;
    model::BugSwitches probe;
    if (!ParseBugs(crash.bugs, &probe, &unknown)) {
      lost.push_back({path, crash.engine, crash.target, crash.backend, Join(crash.bugs),
                      "bad input", path + ".session: unknown bug switch '" + unknown + "'"});
      ++summary->bad_inputs;
      continue;
    }
    Reproduction r =
        Reproduce(*program, crash.bugs, crash.bugs_known, crash.expected_title, o.reproduce);
    if (!r.reproduced) {
      std::string reason = r.how;
      if (!crash.expected_title.empty()) reason += " (looked for: " + crash.expected_title + ")";
      if (!crash.bugs_known) reason += "; switches unknown: tried none and each one alone";
      lost.push_back({path, crash.engine, crash.target, crash.backend, Join(crash.bugs),
                      "not reproducible", reason});
      ++summary->not_reproducible;
      std::fprintf(log, "not reproducible: %s (%s)\n", path.c_str(), reason.c_str());
      continue;
    }
    BucketMember m{crash, r.program, r.bugs, r.how};
    buckets.Add(std::move(m), r.finding);
  }

  std::vector<IndexBucket> index;
  for (const auto& [key, bucket] : buckets.by_key()) {
    IndexBucket ib;
    if (!WriteBucket(bucket, o, &ib, error, log)) return false;
    index.push_back(std::move(ib));
  }
  summary->buckets = static_cast<int>(index.size());
  if (!WriteNewFile(o.out_dir + "/index.html", IndexHtml(index, lost), error)) return false;
  std::fprintf(log, "%d crash files: %d buckets, %d not reproducible, %d bad input; index: %s/index.html\n",
               summary->crash_files, summary->buckets, summary->not_reproducible,
               summary->bad_inputs, o.out_dir.c_str());
  return true;
}

}  // namespace hvfuzz::triage
