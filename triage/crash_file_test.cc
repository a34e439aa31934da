// SPDX-License-Identifier: Apache-2.0
// Crash-file discovery and description (crash_file.h) over a temporary tree laid out like the
// engines and ./hvfuzz fuzz leave it.
#include "triage/crash_file.h"

#include <gtest/gtest.h>

#include "fuzz/prog/binary_codec.h"
#include "fuzz/prog/op_set.h"
#include "triage/testing_files.h"

namespace hvfuzz::triage {
namespace {

using testing::TempDir;

TEST(CrashFileTest, FindsEngineArtifactsAndSkipsEverythingElse) {
  TempDir d;
  const std::string lf = d.Write("lf/crash-0a1b", "x");
  d.Write("lf/leak-77", "x");
  d.Write("lf/notes.md", "x");
  const std::string afl = d.Write("afl/main/crashes/id:000000,sig:06,src:000001", "x");
  d.Write("afl/main/crashes/README.txt", "x");
  d.Write("afl/main/queue/id:000001", "x");
  d.Write("afl/main/hangs/id:000000", "x");
  d.Write("afl/main/fuzzer_stats", "x");
  d.Write("afl/s1/crash-in-wrong-place/id:000003", "x");
  const std::string ours = d.Write("findings/xen/crash-ff", "x");
  d.Write("findings/xen/crash-ff.txt", "report");
  d.Write("findings/xen/crash-ff.session", "target=xen\n");
  const std::string text = d.Write("progs/a.hvp", "# hvfuzz-prog v1\n");
  d.Write("runs/r1/" + std::string(kRunMarker), "");
  d.Write("runs/r1/b/program.hvp", "# hvfuzz-prog v1\n");
  d.Write(".hidden/crash-1", "x");

  std::vector<std::string> errors;
  std::vector<std::string> found = FindCrashFiles({d.path(), d.path() + "/nope"}, &errors);
  std::vector<std::string> expected{afl, ours, lf, d.path() + "/lf/leak-77", text};
  std::sort(expected.begin(), expected.end());
  // .hidden/crash-1 is a crash-* file in a hidden folder: taken (only file names are checked).
  expected.push_back(d.path() + "/.hidden/crash-1");
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(found, expected);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0], d.path() + "/nope: no such file or directory");
  // A file named explicitly is taken even when its name says nothing.
  EXPECT_EQ(FindCrashFiles({d.path() + "/lf/notes.md"}, &errors).size(), 1u);
}

TEST(CrashFileTest, DescribesEngineTargetAndSwitches) {
  TempDir d;
  const std::string ours = d.Write("findings/gpc/crash-ff", "x");
  d.Write("findings/gpc/crash-ff.session",
          "target=gpc\nengine=afl\nbackend=free\nbugs=gpc-refresh-race,gpc-deactivate-race\n");
  d.Write("findings/gpc/crash-ff.txt", "...\nSUMMARY: hvfuzz: invariant-violation in kvm_gpc_check\n");
  CrashFile c = DescribeCrashFile(ours, "", std::nullopt);
  EXPECT_EQ(c.engine, "afl");
  EXPECT_EQ(c.target, "gpc");
  EXPECT_EQ(c.backend, "free");
  EXPECT_TRUE(c.bugs_known);
  EXPECT_EQ(c.bugs, (std::vector<std::string>{"gpc-refresh-race", "gpc-deactivate-race"}));
  EXPECT_EQ(c.expected_title, "invariant-violation in kvm_gpc_check");

  c = DescribeCrashFile(ours, "vm", std::vector<std::string>{});
  EXPECT_EQ(c.target, "vm");
  EXPECT_TRUE(c.bugs_known);
  EXPECT_TRUE(c.bugs.empty());

  const std::string session = d.Write("build/sessions/mmu-20260101-120000-1/artifacts/crash-1", "x");
  c = DescribeCrashFile(session, "", std::nullopt);
  EXPECT_EQ(c.target, "mmu");
  EXPECT_EQ(c.engine, "libfuzzer");
  EXPECT_FALSE(c.bugs_known);
  EXPECT_EQ(c.backend, "controlled");

  c = DescribeCrashFile(d.Write("x/main/crashes/id:000001", "x"), "", std::nullopt);
  EXPECT_EQ(c.engine, "afl");
  EXPECT_EQ(c.target, "vm");
}

TEST(CrashFileTest, LoadsTextStrictlyAndBinaryBySlice) {
  TempDir d;
  std::string error;
  CrashFile bad = DescribeCrashFile(
      d.Write("bad.hvp", "# hvfuzz-prog v1\nt0 vcpu.crate vm=0 vcpu=0\n"), "", std::nullopt);
  EXPECT_FALSE(LoadProgram(bad, &error).has_value());
  EXPECT_EQ(error.rfind(bad.path + ":2:1: missing header line '# threads:'", 0), 0u) << error;

  // The same bytes are different programs under two slices (op bytes index the slice): a
  // findings/<target>/ path decides.
  const std::vector<uint8_t> header = prog::Encode(prog::Program{});
  const std::optional<prog::OpSet> gpc_ops = prog::OpSet::ForSlices("gpc");
  ASSERT_TRUE(gpc_ops.has_value());
  int differing = 0;
  for (int op_byte = 0; op_byte < 255; ++op_byte) {
    std::string bytes(header.begin(), header.end());
    bytes += std::string("\x00", 1) + static_cast<char>(op_byte) + std::string(8, '\0');
    const std::string name = "crash-" + std::to_string(op_byte);
    CrashFile as_vm = DescribeCrashFile(d.Write("findings/vm/" + name, bytes), "", std::nullopt);
    CrashFile as_gpc = DescribeCrashFile(d.Write("findings/gpc/" + name, bytes), "", std::nullopt);
    std::optional<prog::Program> vm = LoadProgram(as_vm, &error);
    std::optional<prog::Program> gpc = LoadProgram(as_gpc, &error);
    ASSERT_TRUE(vm.has_value() && gpc.has_value());
    ASSERT_GE(gpc->num_ops(), 1);
    EXPECT_TRUE(gpc_ops->ContainsAll(*gpc));
    differing += *vm == *gpc ? 0 : 1;
  }
  EXPECT_GT(differing, 0);
}

}  // namespace
}  // namespace hvfuzz::triage
