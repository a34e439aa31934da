// SPDX-License-Identifier: Apache-2.0
// hvfuzz_triage_tool: the binary behind `./hvfuzz triage` and `./hvfuzz promote` (triage/triage.sh).
//   hvfuzz_triage_tool triage --out DIR [--bug NAME]... [--target NAME] [--identity-runs N] PATH...
//   hvfuzz_triage_tool promote BUCKET [--tests DIR] [--corpus DIR] [--name NAME]
//   hvfuzz_triage_tool describe FILE [--bug NAME]... [--target NAME]
//     prints what triage would take for FILE (DescribeCrashFile), for `./hvfuzz replay`:
//     "target=T", "bugs=A,B" and "bugs_known=1|0" (0: neither --bug nor a session record)
// Exit status: 0 done, 2 usage or bad input (message on stderr). Per-file problems of triage
// (crashes that do not reproduce, bad files) are listed in the index, not fatal.
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "triage/crash_file.h"
#include "triage/promote.h"
#include "triage/triage_run.h"

namespace {

int Usage() {
  std::fprintf(stderr,
               "usage: hvfuzz_triage_tool triage --out DIR [--bug NAME]... [--target NAME] "
               "[--identity-runs N] PATH...\n"
               "       hvfuzz_triage_tool promote BUCKET [--tests DIR] [--corpus DIR] [--name NAME]\n"
               "       hvfuzz_triage_tool describe FILE [--bug NAME]... [--target NAME]\n");
  return 2;
}

int Triage(int argc, char** argv) {
  hvfuzz::triage::TriageOptions o;
  for (int i = 0; i < argc; ++i) {
    const std::string a = argv[i];
    const bool has_value = i + 1 < argc;
    if (a == "--out" && has_value) {
      o.out_dir = argv[++i];
    } else if (a == "--bug" && has_value) {
      if (!o.bugs.has_value()) o.bugs.emplace();
      o.bugs->push_back(argv[++i]);
    } else if (a == "--target" && has_value) {
      o.target = argv[++i];
    } else if (a == "--identity-runs" && has_value) {
      o.identity_runs = std::atoi(argv[++i]);
    } else if (!a.empty() && a[0] == '-') {
      std::fprintf(stderr, "hvfuzz: triage: unknown option '%s'\n", a.c_str());
      return Usage();
    } else {
      o.paths.push_back(a);
    }
  }
  if (o.out_dir.empty() || o.paths.empty()) return Usage();
  hvfuzz::triage::TriageSummary summary;
  std::string error;
  if (!hvfuzz::triage::TriageRun(o, &summary, &error, stdout)) {
    std::fprintf(stderr, "hvfuzz: triage: %s\n", error.c_str());
    return 2;
  }
  return 0;
}

int Promote(int argc, char** argv) {
  hvfuzz::triage::PromoteOptions o;
  for (int i = 0; i < argc; ++i) {
    const std::string a = argv[i];
    const bool has_value = i + 1 < argc;
    if (a == "--tests" && has_value) {
      o.tests_dir = argv[++i];
    } else if (a == "--corpus" && has_value) {
      o.corpus_dir = argv[++i];
    } else if (a == "--name" && has_value) {
      o.name = argv[++i];
    } else if (!a.empty() && a[0] != '-' && o.bucket_dir.empty()) {
      o.bucket_dir = a;
    } else {
      return Usage();
    }
  }
  if (o.bucket_dir.empty()) return Usage();
  hvfuzz::triage::PromoteResult r;
  std::string error;
  if (!hvfuzz::triage::Promote(o, &r, &error)) {
    std::fprintf(stderr, "hvfuzz: promote: %s\n", error.c_str());
    return 2;
  }
  if (r.already_promoted) {
    std::printf("already promoted: %s has this signature (nothing written)\n",
                r.regression_file.c_str());
  } else {
    std::printf("wrote %s\n", r.regression_file.c_str());
    if (!r.corpus_file.empty()) std::printf("crash file in %s\n", r.corpus_file.c_str());
  }
  return 0;
}

int Describe(int argc, char** argv) {
  std::string file, target;
  std::optional<std::vector<std::string>> bugs;
  for (int i = 0; i < argc; ++i) {
    const std::string a = argv[i];
    const bool has_value = i + 1 < argc;
    if (a == "--bug" && has_value) {
      if (!bugs.has_value()) bugs.emplace();
      bugs->push_back(argv[++i]);
    } else if (a == "--target" && has_value) {
      target = argv[++i];
    } else if (!a.empty() && a[0] != '-' && file.empty()) {
      file = a;
    } else {
      return Usage();
    }
  }
  if (file.empty()) return Usage();
  const hvfuzz::triage::CrashFile c = hvfuzz::triage::DescribeCrashFile(file, target, bugs);
  std::string list;
  for (const std::string& b : c.bugs) list += (list.empty() ? "" : ",") + b;
  std::printf("target=%s\nbugs=%s\nbugs_known=%d\n", c.target.c_str(), list.c_str(),
              c.bugs_known ? 1 : 0);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return Usage();
  const std::string cmd = argv[1];
  if (cmd == "triage") return Triage(argc - 2, argv + 2);
  if (cmd == "promote") return Promote(argc - 2, argv + 2);
  if (cmd == "describe") return Describe(argc - 2, argv + 2);
  return Usage();
}
