// SPDX-License-Identifier: Apache-2.0
// Lenient parsing (text_codec.h): old corpora parse into valid programs, and every repair is a
// positioned warning.
#include <gtest/gtest.h>

#include "fuzz/prog/testing/random_program.h"
#include "fuzz/prog/text_codec.h"

namespace hvfuzz::prog {
namespace {

using testing::Call;

struct LenientCase {
  std::string text;
  std::string canonical_body;         // the canonical text's op and schedule lines
  std::vector<std::string> warnings;  // ToString() of each warning, in order
};

constexpr std::string_view kHeader =
    "# hvfuzz-prog v1\n# threads: 1\n# seed: 0x0\n# strategy: pct depth=3\n"
    "# shape: vms=1 vcpus=2 memslots=2 gpcs=1 xen=1\n# fault: nth=0\n";

std::string WithHeader(std::string_view body) { return std::string(kHeader) + std::string(body); }

TEST(TextLenientTest, RepairsAndWarns) {
  const LenientCase cases[] = {
      {WithHeader("t0 memslot.set vm=0 slot=9 gfn=0 pages=1 color=3\n"),
       "t0 memslot.set vm=0 slot=7 gfn=0x0 pages=1\n",
       {"old.hvp:7:26: slot=9 is out of range 0..7; clamped to 7",
        "old.hvp:7:42: unknown argument 'color' for memslot.set (arguments: vm, slot, gfn, "
        "pages, fail); dropped"}},
      {WithHeader("t0 memslot.set vm=1 slot=1\nt0 frobnicate x=1\nt0 vm.create vm=2\n"),
       "t0 memslot.set vm=1 slot=1 gfn=0x0 pages=0\nt0 vm.create vm=2\n",
       {"old.hvp:7:4: missing argument 'gfn' for memslot.set; default 0x0",
        "old.hvp:7:4: missing argument 'pages' for memslot.set; default 0",
        "old.hvp:8:4: unknown operation 'frobnicate'; line dropped"}},
      {"t2 vm.create vm=0\n# color: blue\nschedule: 1 zz 0a\n",
       "t2 vm.create vm=0\nschedule: 01 0a\n",
       {"old.hvp:2:3: unknown header field 'color' (fields: threads, seed, strategy, shape, "
        "fault); line dropped",
        "old.hvp:3:11: schedule byte '1' is not two hex digits; read as hex",
        "old.hvp:3:13: schedule byte 'zz' is not two hex digits; dropped",
        "old.hvp:1:1: missing version line '# hvfuzz-prog v1'; read as v1",
        "old.hvp:1:1: missing header line '# threads:'; defaults",
        "old.hvp:1:1: missing header line '# seed:'; defaults",
        "old.hvp:1:1: missing header line '# strategy:'; defaults",
        "old.hvp:1:1: missing header line '# shape:'; defaults",
        "old.hvp:1:1: missing header line '# fault:'; defaults"}},
      {WithHeader("t1 vm.create vm=0\nt1 vm.create vm=1\n"),
       "t1 vm.create vm=0\nt1 vm.create vm=1\n",
       {"old.hvp:7:1: thread 't1' is not declared by '# threads: 1'; threads raised to 2"}},
  };
  for (const LenientCase& c : cases) {
    const ParseResult r = Parse(c.text, ParseMode::kLenient, "old.hvp");
    ASSERT_TRUE(r.ok()) << c.text;
    EXPECT_EQ(Validate(*r.program), "");
    const std::string printed = Print(*r.program);
    EXPECT_EQ(printed.substr(printed.find("# fault:") + 15), c.canonical_body) << c.text;
    std::vector<std::string> warnings;
    for (const Diagnostic& d : r.warnings) warnings.push_back(d.ToString());
    EXPECT_EQ(warnings, c.warnings) << c.text;
  }
}

TEST(TextLenientTest, ShapeAndHeaderRepairs) {
  const ParseResult r = Parse(
      "# hvfuzz-prog v1\n# threads: 9\n# seed: 0x1ffffffffffffffff\n# strategy: random depth=4\n"
      "# shape: vms=0 future_field=3\n# fault: nth=x\n",
      ParseMode::kLenient, "old.hvp");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(Print(*r.program),
            "# hvfuzz-prog v1\n# threads: 4\n# seed: 0xffffffffffffffff\n# strategy: random\n"
            "# shape: vms=1 vcpus=2 memslots=2 gpcs=1 xen=1\n# fault: nth=0\n");
  std::vector<std::string> warnings;
  for (const Diagnostic& d : r.warnings) warnings.push_back(d.ToString());
  EXPECT_EQ(warnings,
            std::vector<std::string>(
                {"old.hvp:2:12: threads=9 is out of range 1..4; clamped to 4",
                 "old.hvp:3:9: seed=0x1ffffffffffffffff does not fit in 64 bits; clamped to "
                 "0xffffffffffffffff",
                 "old.hvp:4:20: unknown field 'depth' for strategy random (it has none); dropped",
                 "old.hvp:5:14: vms=0 is out of range 1..3; clamped to 1",
                 "old.hvp:5:16: unknown field 'future_field' for shape (fields: vms, vcpus, "
                 "memslots, gpcs, xen); dropped",
                 "old.hvp:5:3: missing field 'vcpus' for shape; default 2",
                 "old.hvp:5:3: missing field 'memslots' for shape; default 2",
                 "old.hvp:5:3: missing field 'gpcs' for shape; default 1",
                 "old.hvp:5:3: missing field 'xen' for shape; default 1",
                 "old.hvp:6:14: bad number 'x' for nth (decimal or 0x-hex); default 0"}));
}

TEST(TextLenientTest, StrictTextParsesTheSameLeniently) {
  Program p;
  p.threads.resize(3);
  p.threads[2] = {Call("memslot.set", {1, 3, 0x20, 4}), Call("vm.create", {2})};
  p.header.seed = 77;
  const std::string text = Print(p);
  const ParseResult strict = Parse(text, ParseMode::kStrict, "a.hvp");
  const ParseResult lenient = Parse(text, ParseMode::kLenient, "a.hvp");
  ASSERT_TRUE(strict.ok() && lenient.ok());
  EXPECT_EQ(*strict.program, *lenient.program);
  EXPECT_TRUE(lenient.warnings.empty());
}

TEST(TextLenientTest, WarningsAreCapped) {
  std::string text;
  for (int i = 0; i < 500; ++i) text += "garbage line\n";
  const ParseResult r = Parse(text, ParseMode::kLenient, "junk");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.program->num_ops(), 0);
  EXPECT_EQ(r.warnings.size(), 101u);
  EXPECT_EQ(r.warnings.back().message, "too many warnings; the rest are not shown");
}

}  // namespace
}  // namespace hvfuzz::prog
