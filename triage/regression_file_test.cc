// SPDX-License-Identifier: Apache-2.0
// Regression files (regression_file.h): the golden shape, round trip, and file:line:col errors.
#include "triage/regression_file.h"

#include <gtest/gtest.h>

#include "fuzz/prog/text_codec.h"
#include "triage/testing_golden.h"

namespace hvfuzz::triage {
namespace {

constexpr char kProgram[] =
    "# hvfuzz-prog v1\n"
    "# threads: 1\n"
    "# seed: 0x0\n"
    "# strategy: pct depth=3\n"
    "# shape: vms=1 vcpus=1 memslots=0 gpcs=0 xen=0\n"
    "# fault: nth=0\n"
    "t0 xen.set_evtchn vm=0 port=1 vcpu=0 assign=1\n"
    "t0 xen.evtchn_send vm=0 vcpu=0 port=1\n"
    "t0 vcpu.create vm=0 vcpu=0\n";

Regression Example() {
  Regression r;
  r.name = "xen-evtchn-kvm-lock";
  r.bugs = {"xen-evtchn-kvm-lock"};
  r.kind = "lock-order-cycle";
  r.title = "lock-order-cycle in kvm_vm_ioctl_create_vcpu";
  r.signature = "lock-order-cycle|&kvm->lock,&vcpu->mutex|kvm_vm_ioctl_create_vcpu";
  r.source = "findings/xen/crash-0123";
  r.corpus = "corpus/regressions/xen/crash-0123";
  r.minimized = "12 ops, 3 threads, 9 schedule bytes -> 3 ops, 1 thread, 0 schedule bytes";
  r.program = *prog::Parse(kProgram, prog::ParseMode::kStrict, "p.hvp").program;
  return r;
}

TEST(RegressionFileTest, FormatMatchesGoldenAndParsesBack) {
  const Regression r = Example();
  const std::string text = FormatRegression(r);
  testing::ExpectGolden("regression.hvp", text);
  RegressionParse back = ParseRegression(text, "x.hvp");
  ASSERT_TRUE(back.regression.has_value()) << back.error;
  EXPECT_EQ(back.regression->name, r.name);
  EXPECT_EQ(back.regression->bugs, r.bugs);
  EXPECT_EQ(back.regression->kind, r.kind);
  EXPECT_EQ(back.regression->title, r.title);
  EXPECT_EQ(back.regression->signature, r.signature);
  EXPECT_EQ(back.regression->source, r.source);
  EXPECT_EQ(back.regression->corpus, r.corpus);
  EXPECT_EQ(back.regression->minimized, r.minimized);
  EXPECT_TRUE(back.regression->clean_without_bugs);
  EXPECT_TRUE(back.regression->program == r.program);
  EXPECT_EQ(FormatRegression(*back.regression), text) << "format is not a fixed point";
}

TEST(RegressionFileTest, IsAnOrdinaryProgramForTheStrictParser) {
  const std::string text = FormatRegression(Example());
  prog::ParseResult p = prog::Parse(text, prog::ParseMode::kStrict, "x.hvp");
  ASSERT_TRUE(p.ok()) << p.error->ToString();
  EXPECT_EQ(prog::Print(*p.program), kProgram);
}

TEST(RegressionFileTest, ErrorsCarryFileLineColumn) {
  const std::string good = FormatRegression(Example());
  auto with_line = [&](const std::string& line) {
    std::string t = good;
    t.insert(t.find("#@ name"), line + "\n");
    return t;
  };
  EXPECT_EQ(ParseRegression(with_line("#@ expect-kidn: deadlock"), "r.hvp").error,
            "r.hvp:3:4: unknown regression key 'expect-kidn'");
  EXPECT_EQ(ParseRegression(with_line("#@ bugs: no-such-bug"), "r.hvp").error,
            "r.hvp:3:10: unknown bug switch 'no-such-bug'");
  EXPECT_EQ(ParseRegression(with_line("#@ expect-kind: crash"), "r.hvp").error,
            "r.hvp:3:17: unknown finding kind 'crash'");
  EXPECT_EQ(ParseRegression(with_line("#@ just words"), "r.hvp").error,
            "r.hvp:3:4: expected '#@ key: value'");
  std::string no_kind = good;
  no_kind.erase(no_kind.find("#@ expect-kind"), no_kind.find('\n', no_kind.find("#@ expect-kind")) -
                                                    no_kind.find("#@ expect-kind") + 1);
  EXPECT_EQ(ParseRegression(no_kind, "r.hvp").error, "r.hvp:1:1: missing '#@ expect-kind:' line");
  std::string bad_op = good + "t0 vcpu.crate vm=0 vcpu=0\n";
  const std::string error = ParseRegression(bad_op, "r.hvp").error;
  EXPECT_EQ(error.rfind("r.hvp:19:4: unknown operation 'vcpu.crate'", 0), 0u) << error;
}

TEST(RegressionFileTest, SignatureMustBelongToTheKind) {
  std::string text = FormatRegression(Example());
  text.replace(text.find("expect-kind: lock-order-cycle"), 29, "expect-kind: deadlock");
  EXPECT_EQ(ParseRegression(text, "r.hvp").error,
            "r.hvp:1:1: expect-signature does not start with expect-kind 'deadlock'");
}

}  // namespace
}  // namespace hvfuzz::triage
