// SPDX-License-Identifier: Apache-2.0
// Table cases for the text form (text_codec.h, SYNTAX.md): canonical printing, accepted
// spellings, strict errors with file:line:col, lenient repairs. Properties over random
// programs live in codec_property_test.cc.
#include "fuzz/prog/text_codec.h"

#include <gtest/gtest.h>

#include "fuzz/prog/testing/random_program.h"

namespace hvfuzz::prog {
namespace {

using testing::Call;

// The canonical header of a 2-thread program with seed 0x5eed and the default shape.
constexpr std::string_view kHeader =
    "# hvfuzz-prog v1\n"
    "# threads: 2\n"
    "# seed: 0x5eed\n"
    "# strategy: pct depth=3\n"
    "# shape: vms=1 vcpus=2 memslots=2 gpcs=1 xen=1\n"
    "# fault: nth=0\n";

std::string WithHeader(std::string_view body) { return std::string(kHeader) + std::string(body); }

Program Example() {
  Program p;
  p.threads.resize(2);
  p.header.seed = 0x5eed;
  p.threads[0] = {Call("memslot.set", {0, 1, 0x10, 4})};
  p.threads[1] = {Call("gpc.activate", {0, 0, 0x10})};
  p.schedule = {0, 1, 1};
  return p;
}

TEST(TextCodecTest, PrintsTheCanonicalForm) {
  EXPECT_EQ(Print(Example()), WithHeader("t0 memslot.set vm=0 slot=1 gfn=0x10 pages=4\n"
                                         "t1 gpc.activate vm=0 gpc=0 gfn=0x10\n"
                                         "schedule: 00 01 01\n"));
  Program p;
  p.header.strategy = Strategy::kRandom;
  p.header.fault.fail_nth = 12;
  p.schedule.assign(33, 0xab);
  std::string schedule = "schedule:";
  for (int i = 0; i < 32; ++i) schedule += " ab";
  EXPECT_EQ(Print(p),
            "# hvfuzz-prog v1\n# threads: 1\n# seed: 0x0\n# strategy: random\n"
            "# shape: vms=1 vcpus=2 memslots=2 gpcs=1 xen=1\n# fault: nth=12\n" +
                schedule + "\nschedule: ab\n");
}

TEST(TextCodecTest, AcceptsEquivalentSpellingsAndPrintsThemCanonically) {
  const std::string canonical = Print(Example());
  const std::string inputs[] = {
      canonical,
      // Comments, blank lines, extra blanks, tabs, CRLF, uppercase hex, decimal addresses.
      "# hvfuzz-prog v1\r\n# a note\r\n#threads:2\r\n# seed:   0X5EED\r\n"
      "# strategy: pct   depth=3\n# shape: xen=1 gpcs=1 memslots=2 vcpus=2 vms=1\n"
      "# fault: nth=0\n\n\t t0  memslot.set pages=4 gfn=16 slot=1 vm=0   # trailing comment\n"
      "t1 gpc.activate gfn=0X10 gpc=0x0 vm=00\nschedule: 00\nschedule: 01 01\n",
      // Op lines of different threads may interleave; per-thread order is kept.
      WithHeader("t1 gpc.activate vm=0 gpc=0 gfn=0x10\n"
                 "t0 memslot.set vm=0 slot=1 gfn=0x10 pages=4\nschedule: 00 01 01"),
  };
  for (const std::string& input : inputs) {
    const ParseResult r = Parse(input, ParseMode::kStrict, "x.hvp");
    ASSERT_TRUE(r.ok()) << r.error->ToString() << "\n" << input;
    EXPECT_EQ(*r.program, Example());
    EXPECT_EQ(Print(*r.program), canonical);
    EXPECT_TRUE(r.warnings.empty());
  }
}

TEST(TextCodecTest, EmptyThreadsAndScheduleRoundTrip) {
  Program p;
  p.threads.resize(kMaxThreads);
  p.threads[2] = {Call("memslot.set", {2, 7, 0x7f, 8})};
  const ParseResult r = Parse(Print(p), ParseMode::kStrict, "x.hvp");
  ASSERT_TRUE(r.ok()) << r.error->ToString();
  EXPECT_EQ(*r.program, p);
}

// The per-call fault point: printed after the arguments only when armed, optional on input.
TEST(TextCodecTest, PerCallFaultIsOptionalAndPrintedOnlyWhenArmed) {
  Program p = Example();
  p.threads[0][0].fail_nth = 3;
  const std::string text = Print(p);
  EXPECT_NE(text.find("t0 memslot.set vm=0 slot=1 gfn=0x10 pages=4 fail=3\n"), std::string::npos)
      << text;
  EXPECT_NE(text.find("t1 gpc.activate vm=0 gpc=0 gfn=0x10\n"), std::string::npos) << text;
  const ParseResult r = Parse(text, ParseMode::kStrict, "x.hvp");
  ASSERT_TRUE(r.ok()) << r.error->ToString();
  EXPECT_EQ(*r.program, p);
  // fail=0 is accepted and means unarmed, the canonical form leaves it out.
  const ParseResult zero = Parse(
      WithHeader("t0 memslot.set vm=0 slot=1 gfn=0x10 pages=4 fail=0\n"
                 "t1 gpc.activate vm=0 gpc=0 gfn=0x10\nschedule: 00 01 01\n"),
      ParseMode::kStrict, "x.hvp");
  ASSERT_TRUE(zero.ok()) << zero.error->ToString();
  EXPECT_EQ(*zero.program, Example());
}

struct ErrorCase {
  std::string text;
  std::string error;
};

TEST(TextCodecTest, StrictErrorsCarryFileLineAndColumn) {
  const ErrorCase cases[] = {
      {"", "x.hvp:1:1: expected '# hvfuzz-prog v1' on line 1"},
      {"# threads: 1\n", "x.hvp:1:1: expected '# hvfuzz-prog v1' on line 1"},
      {"# hvfuzz-prog v2\n", "x.hvp:1:15: unsupported format version 'v2' (this build reads v1)"},
      {"# hvfuzz-prog v1\n# sede: 1\n",
       "x.hvp:2:3: unknown header field 'sede' (fields: threads, seed, strategy, shape, fault)"},
      {"# hvfuzz-prog v1\n# threads: 1\n",
       "x.hvp:3:1: missing header line '# seed:' (a strict program states the whole header "
       "before its operations)"},
      {WithHeader("# seed: 1\n"), "x.hvp:7:3: duplicate header line '# seed:'"},
      {WithHeader("t0 memslot.set vm=0 slot=1 gfn=0 pages=1\n# seed: 1\n"),
       "x.hvp:8:3: duplicate header line '# seed:'"},
      {WithHeader("t0 memslot.sett vm=0 slot=1 gfn=0 pages=1\n"),
       "x.hvp:7:4: unknown operation 'memslot.sett' (did you mean 'memslot.set'?)"},
      {WithHeader("t0 memslot.set vm=0 slto=1 gfn=0 pages=1\n"),
       "x.hvp:7:21: unknown argument 'slto' for memslot.set (arguments: vm, slot, gfn, pages, fail)"},
      {WithHeader("t0 memslot.set vm=0 slot=1 gfn=0\n"),
       "x.hvp:7:4: missing argument 'pages' for memslot.set"},
      {WithHeader("t0 memslot.set vm=0 slot=9 gfn=0 pages=1\n"),
       "x.hvp:7:26: slot=9 is out of range 0..7"},
      {WithHeader("t0 memslot.set vm=0 slot=1 slot=2 gfn=0 pages=1\n"),
       "x.hvp:7:28: duplicate argument 'slot' for memslot.set"},
      {WithHeader("t0 memslot.set vm=0 slot=x gfn=0 pages=1\n"),
       "x.hvp:7:26: bad number 'x' for slot (decimal or 0x-hex)"},
      {WithHeader("t0 memslot.set vm=0 slot= gfn=0 pages=1\n"),
       "x.hvp:7:26: missing value for slot"},
      {WithHeader("t0 memslot.set vm=0 slot=1 gfn=99999999999999999999 pages=1\n"),
       "x.hvp:7:32: gfn=99999999999999999999 does not fit in 64 bits"},
      {WithHeader("t0 memslot.set vm=0 slot=1 gfn=0x80 pages=1\n"),
       "x.hvp:7:32: gfn=0x80 is out of range 0x0..0x7f"},
      {WithHeader("t0 memslot.set vm=0 slot=1 gfn=0 pages=1 fail=16\n"),
       "x.hvp:7:47: fail=16 is out of range 0..15"},
      {WithHeader("t0 memslot.set 1\n"), "x.hvp:7:16: expected name=value, got '1'"},
      {WithHeader("t2 vm.create vm=0\n"),
       "x.hvp:7:1: thread 't2' is not declared by '# threads: 2'"},
      {WithHeader("t9 vm.create vm=0\n"), "x.hvp:7:1: thread 't9' is out of range t0..t3"},
      {WithHeader("x0 vm.create vm=0\n"),
       "x.hvp:7:1: expected a thread (t0..t3) or 'schedule:', got 'x0'"},
      {WithHeader("t0\n"), "x.hvp:7:3: missing operation after 't0'"},
      {WithHeader("schedule: 00 0g\n"), "x.hvp:7:14: schedule byte '0g' is not two hex digits"},
      {WithHeader("schedule: 00\nt0 vm.create vm=0\n"), "x.hvp:8:1: operation after the schedule"},
      {WithHeader([] {
         std::string line = "schedule:";
         for (int i = 0; i <= kMaxScheduleBytes; ++i) line += " 00";
         return line;
       }()),
       "x.hvp:7:779: schedule longer than 256 bytes"},
      {"# hvfuzz-prog v1\n# threads: 5\n", "x.hvp:2:12: threads=5 is out of range 1..4"},
      {"# hvfuzz-prog v1\n# seed: 1 2\n", "x.hvp:2:11: unexpected '2'"},
      {"# hvfuzz-prog v1\n# strategy: dfs\n",
       "x.hvp:2:13: unknown strategy 'dfs' (strategies: random, pct)"},
      {"# hvfuzz-prog v1\n# strategy: random depth=3\n",
       "x.hvp:2:20: unknown field 'depth' for strategy random (it has none)"},
      {"# hvfuzz-prog v1\n# strategy: pct\n", "x.hvp:2:13: missing field 'depth' for strategy pct"},
      {"# hvfuzz-prog v1\n# shape: vms=9\n", "x.hvp:2:14: vms=9 is out of range 1..3"},
      {"# hvfuzz-prog v1\n# shape: vms=1 vmz=1\n",
       "x.hvp:2:16: unknown field 'vmz' for shape (fields: vms, vcpus, memslots, gpcs, xen)"},
      {"# hvfuzz-prog v1\n# fault: nth=300\n", "x.hvp:2:14: nth=300 is out of range 0..255"},
  };
  for (const ErrorCase& c : cases) {
    const ParseResult r = Parse(c.text, ParseMode::kStrict, "x.hvp");
    ASSERT_FALSE(r.ok()) << c.text;
    EXPECT_EQ(r.error->ToString(), c.error) << c.text;
  }
}

TEST(TextCodecTest, StrictLimitsOpsPerThread) {
  std::string text = WithHeader("");
  for (int i = 0; i <= kMaxOpsPerThread; ++i) text += "t1 vm.create vm=0\n";
  const ParseResult r = Parse(text, ParseMode::kStrict, "x.hvp");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error->ToString(), "x.hvp:39:1: 't1' has more than 32 operations");
}

}  // namespace
}  // namespace hvfuzz::prog
