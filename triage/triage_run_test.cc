// SPDX-License-Identifier: Apache-2.0
// TriageRun end to end in-process (triage_run.h), and Reproduce / MinimizeKeepingSignature
// (reproduce.h) on real programs of the model with the xen-evtchn-kvm-lock switch.
#include "triage/triage_run.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "fuzz/prog/binary_codec.h"
#include "fuzz/prog/text_codec.h"
#include "triage/bucket.h"
#include "triage/promote.h"
#include "triage/regression_file.h"
#include "triage/testing_files.h"

namespace hvfuzz::triage {
namespace {

namespace fs = std::filesystem;
using testing::ReadAll;
using testing::TempDir;

// kvm->lock inside vcpu->mutex (the switch's slow path), then KVM_CREATE_VCPU priming the
// reverse order: a lock-order cycle with the switch, clean without (tests/e2e/programs).
constexpr char kShort[] =
    "# hvfuzz-prog v1\n# threads: 1\n# seed: 0x0\n# strategy: pct depth=3\n"
    "# shape: vms=1 vcpus=2 memslots=2 gpcs=1 xen=1\n# fault: nth=0\n"
    "t0 xen.set_evtchn vm=0 port=1 vcpu=0 assign=1\n"
    "t0 xen.evtchn_send vm=0 vcpu=0 port=1\n"
    "t0 vcpu.create vm=0 vcpu=0\n";
// The same bug among unrelated operations, threads and schedule bytes.
constexpr char kPadded[] =
    "# hvfuzz-prog v1\n# threads: 3\n# seed: 0x1234\n# strategy: random\n"
    "# shape: vms=2 vcpus=2 memslots=2 gpcs=1 xen=1\n# fault: nth=0\n"
    "t0 xen.set_evtchn vm=0 port=1 vcpu=0 assign=1\n"
    "t0 memslot.set vm=1 slot=1 gfn=0x10 pages=4\n"
    "t0 xen.evtchn_send vm=0 vcpu=0 port=1\n"
    "t0 vcpu.create vm=0 vcpu=0\n"
    "t1 vcpu.create vm=1 vcpu=1\n"
    "t1 memslot.set vm=1 slot=2 gfn=0x20 pages=2\n"
    "t2 xen.evtchn_send vm=1 vcpu=0 port=2\n"
    "schedule: 01 02 00 01 02 02 01 00\n";
constexpr char kClean[] =
    "# hvfuzz-prog v1\n# threads: 1\n# seed: 0x0\n# strategy: pct depth=3\n"
    "# shape: vms=1 vcpus=2 memslots=2 gpcs=1 xen=1\n# fault: nth=0\n"
    "t0 vcpu.create vm=0 vcpu=1\n";

prog::Program ParseOrDie(const char* text) {
  prog::ParseResult r = prog::Parse(text, prog::ParseMode::kStrict, "test.hvp");
  EXPECT_TRUE(r.ok()) << r.error->ToString();
  return *r.program;
}

std::string Binary(const char* text) {
  std::vector<uint8_t> b = prog::Encode(ParseOrDie(text));
  return std::string(b.begin(), b.end());
}

const std::vector<std::string> kSwitch{"xen-evtchn-kvm-lock"};

TEST(ReproduceTest, ReplaysAsIsWithKnownSwitches) {
  Reproduction r = Reproduce(ParseOrDie(kShort), kSwitch, true, "", {});
  ASSERT_TRUE(r.reproduced);
  EXPECT_EQ(r.how, "replays as is");
  EXPECT_EQ(r.runs, 1);
  EXPECT_EQ(r.finding.kind, check::FindingKind::kLockOrderCycle);
}

TEST(ReproduceTest, InfersTheSwitchWhenNoneIsKnown) {
  Reproduction r = Reproduce(ParseOrDie(kShort), {}, false, "", {});
  ASSERT_TRUE(r.reproduced);
  EXPECT_EQ(r.bugs, kSwitch);
  EXPECT_EQ(r.how, "replays as is with the inferred switch");
}

TEST(ReproduceTest, CleanProgramIsNotReproducibleWithinTheBudget) {
  ReproduceOptions o;
  o.search_budget = 50;
  Reproduction r = Reproduce(ParseOrDie(kClean), kSwitch, true, "", o);
  EXPECT_FALSE(r.reproduced);
  EXPECT_EQ(r.runs, 51);
  EXPECT_EQ(r.how, "no deterministic reproducer in 51 controlled runs");
}

TEST(ReproduceTest, SearchRewritesTheHeaderUntilTheExpectedTitleAppears) {
  // As is, the padded program closes the cycle in kvm_xen_set_evtchn; asking for the title
  // the short program gives makes the search look for another interleaving of it.
  const prog::Program padded = ParseOrDie(kPadded);
  std::optional<check::Finding> as_is = RunControlled(padded, kSwitch, {});
  ASSERT_TRUE(as_is.has_value());
  std::optional<check::Finding> other = RunControlled(ParseOrDie(kShort), kSwitch, {});
  ASSERT_TRUE(other.has_value());
  if (as_is->title == other->title) GTEST_SKIP() << "model change: both give " << as_is->title;
  Reproduction r = Reproduce(padded, {}, false, other->title, {});
  // Step 1 accepts any finding only with the crash's own switches (none here: clean).
  if (r.reproduced) {
    EXPECT_EQ(r.finding.title, other->title);
    EXPECT_NE(r.how.find("search: "), std::string::npos) << r.how;
    EXPECT_EQ(RunControlled(r.program, r.bugs, {})->title, other->title) << "not deterministic";
  } else {
    EXPECT_NE(r.how.find("no deterministic reproducer"), std::string::npos);
  }
}

TEST(MinimizeTest, KeepsTheSignatureAndShrinksThreadsOpsAndSchedule) {
  const prog::Program padded = ParseOrDie(kPadded);
  std::optional<check::Finding> f = RunControlled(padded, kSwitch, {});
  ASSERT_TRUE(f.has_value());
  Minimized m = MinimizeKeepingSignature(padded, kSwitch, f->Signature(), {});
  EXPECT_EQ(m.finding.Signature(), f->Signature());
  EXPECT_LT(m.program.num_ops(), padded.num_ops());
  EXPECT_LE(m.program.num_ops(), 3);
  EXPECT_LT(m.program.threads.size(), padded.threads.size());
  EXPECT_TRUE(m.program.schedule.empty());
  EXPECT_GT(m.stats.predicate_calls, 0);
  // Minimal: dropping any single op loses the finding or changes its signature.
  for (size_t t = 0; t < m.program.threads.size(); ++t) {
    for (size_t i = 0; i < m.program.threads[t].size(); ++i) {
      prog::Program fewer = m.program;
      fewer.threads[t].erase(fewer.threads[t].begin() + static_cast<long>(i));
      std::optional<check::Finding> g = RunControlled(fewer, kSwitch, {});
      EXPECT_FALSE(g.has_value() && g->Signature() == f->Signature()) << "t" << t << " op " << i;
    }
  }
}

TEST(MinimizeTest, DropsSwitchesTheFindingDoesNotNeed) {
  const prog::Program p = ParseOrDie(kShort);
  const std::vector<std::string> two{"gpc-refresh-race", "xen-evtchn-kvm-lock", "mn-slots-rwsem"};
  std::optional<check::Finding> f = RunControlled(p, two, {});
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(MinimizeSwitches(p, two, f->Signature(), {}), kSwitch);
}

TEST(TriageRunTest, BucketsAcrossEnginesListsTheLostAndNeverOverwrites) {
  TempDir d;
  const std::string in = d.path() + "/in";
  d.Write("in/lf/crash-aaaa", Binary(kPadded));                    // libFuzzer, vm slice
  d.Write("in/afl/main/crashes/id:000000,sig:06", Binary(kPadded));  // AFL++, same bug
  d.Write("in/afl/main/crashes/README.txt", "not a crash");
  d.Write("in/findings/vm/crash-bbbb", Binary(kShort));             // ours, with a record
  d.Write("in/findings/vm/crash-bbbb.session", "target=vm\nengine=libfuzzer\nbackend=controlled\nbugs=xen-evtchn-kvm-lock\n");
  d.Write("in/findings/vm/crash-bbbb.txt", "SUMMARY: hvfuzz: whatever\n");
  d.Write("in/findings/vm/crash-cccc", Binary(kClean));             // clean: not reproducible
  d.Write("in/findings/vm/crash-cccc.session", "target=vm\nengine=libfuzzer\nbackend=free\nbugs=xen-evtchn-kvm-lock\n");
  d.Write("in/bad.hvp", "# hvfuzz-prog v1\nt0 nope\n");
  const std::string before = ReadAll(in + "/lf/crash-aaaa");

  TriageOptions o;
  o.paths = {in};
  o.out_dir = d.path() + "/out";
  o.identity_runs = 5;
  o.reproduce.search_budget = 30;
  TriageSummary s;
  std::string error;
  std::FILE* log = std::tmpfile();
  ASSERT_TRUE(TriageRun(o, &s, &error, log)) << error;
  EXPECT_EQ(s.crash_files, 5);
  // kShort and kPadded close the same cycle at different edges: one bug, one bucket, across
  // the libFuzzer, AFL++ and session crash files.
  EXPECT_EQ(s.buckets, 1);
  EXPECT_EQ(s.not_reproducible, 1);
  EXPECT_EQ(s.bad_inputs, 1);
  EXPECT_EQ(ReadAll(in + "/lf/crash-aaaa"), before);

  // Bucket folders are named by BucketKey(signature) and hold every output.
  int padded_members = 0;
  for (const fs::directory_entry& e : fs::directory_iterator(o.out_dir)) {
    if (!e.is_directory()) continue;
    const std::string dir = e.path().string();
    const std::string record = ReadAll(dir + "/bucket.txt");
    const size_t at = record.find("signature=") + 10;
    EXPECT_EQ(e.path().filename().string(), BucketKey(record.substr(at, record.find('\n', at) - at)));
    for (const char* f : {"report.txt", "report.json", "program.hvp", "original.hvp",
                          "original-report.txt", "lock-graph.dot", "interleaving.svg"}) {
      EXPECT_TRUE(fs::exists(dir + "/" + f)) << dir << "/" << f;
    }
    EXPECT_NE(record.find("identical_replays=5/5"), std::string::npos) << record;
    if (record.find("engine=afl") != std::string::npos) {
      padded_members = 1;
      EXPECT_NE(record.find("lf/crash-aaaa"), std::string::npos) << "one bucket across engines";
      EXPECT_NE(record.find("findings/vm/crash-bbbb"), std::string::npos) << record;
    }
    const std::string report = ReadAll(dir + "/report.txt");
    EXPECT_NE(report.find("replay: " + dir + "/program.hvp"), std::string::npos) << report;
  }
  EXPECT_EQ(padded_members, 1);
  const std::string index = ReadAll(o.out_dir + "/index.html");
  EXPECT_NE(index.find("crash-cccc"), std::string::npos);
  EXPECT_NE(index.find("not reproducible"), std::string::npos);
  EXPECT_NE(index.find("bad.hvp:2:1: missing header line"), std::string::npos);

  // A second run into the same folder refuses; triaging the inputs plus the first run's
  // output finds the same crash files (the run folder is not entered).
  TriageSummary again;
  EXPECT_FALSE(TriageRun(o, &again, &error, log));
  EXPECT_NE(error.find("exists"), std::string::npos) << error;
  o.paths = {in, o.out_dir};
  o.out_dir = d.path() + "/out2";
  ASSERT_TRUE(TriageRun(o, &again, &error, log)) << error;
  EXPECT_EQ(again.crash_files, 5);
  std::fclose(log);
}

TEST(PromoteTest, WritesARegressionAndCopiesTheCrashOnce) {
  TempDir d;
  d.Write("in/findings/vm/crash-bbbb", Binary(kPadded));
  d.Write("in/findings/vm/crash-bbbb.session", "target=vm\nengine=afl\nbackend=controlled\nbugs=xen-evtchn-kvm-lock\n");
  TriageOptions o;
  o.paths = {d.path() + "/in"};
  o.out_dir = d.path() + "/out";
  o.identity_runs = 2;
  TriageSummary s;
  std::string error;
  std::FILE* log = std::tmpfile();
  ASSERT_TRUE(TriageRun(o, &s, &error, log)) << error;
  std::fclose(log);
  ASSERT_EQ(s.buckets, 1);
  std::string bucket;
  for (const fs::directory_entry& e : fs::directory_iterator(o.out_dir)) {
    if (e.is_directory()) bucket = e.path().string();
  }
  PromoteOptions p;
  p.bucket_dir = bucket;
  p.tests_dir = d.path() + "/tests";
  p.corpus_dir = d.path() + "/corpus";
  PromoteResult r;
  ASSERT_TRUE(Promote(p, &r, &error)) << error;
  EXPECT_EQ(r.regression_file, p.tests_dir + "/xen-evtchn-kvm-lock.hvp");
  EXPECT_EQ(r.corpus_file, p.corpus_dir + "/vm/crash-bbbb");
  EXPECT_EQ(ReadAll(r.corpus_file), Binary(kPadded));
  RegressionParse reg = ParseRegression(ReadAll(r.regression_file), r.regression_file);
  ASSERT_TRUE(reg.regression.has_value()) << reg.error;
  EXPECT_EQ(reg.regression->bugs, kSwitch);
  EXPECT_EQ(reg.regression->source, d.path() + "/in/findings/vm/crash-bbbb");
  EXPECT_TRUE(reg.regression->clean_without_bugs);
  EXPECT_LE(reg.regression->program.num_ops(), 3);
  const std::string written = ReadAll(r.regression_file);

  // Again: the signature is already promoted; nothing changes.
  PromoteResult again;
  ASSERT_TRUE(Promote(p, &again, &error)) << error;
  EXPECT_TRUE(again.already_promoted);
  EXPECT_EQ(again.regression_file, r.regression_file);
  EXPECT_EQ(ReadAll(r.regression_file), written);
  // A different file already holding the name: the new one gets "-2".
  fs::rename(r.regression_file, p.tests_dir + "/keep.txt");
  d.Write("tests/xen-evtchn-kvm-lock.hvp", "# hvfuzz-prog v1\n#@ bugs: \n");
  ASSERT_TRUE(Promote(p, &again, &error)) << error;
  EXPECT_EQ(again.regression_file, p.tests_dir + "/xen-evtchn-kvm-lock-2.hvp");
}

}  // namespace
}  // namespace hvfuzz::triage
