// SPDX-License-Identifier: Apache-2.0
// Promoted regressions (STYLE.md G15, G16): one test per tests/regressions/*.hvp, written by
// `./hvfuzz promote` (triage/regression_file.h for the format). Each file is replayed through
// exec::RunOne, the path fuzzing and triage use: with its bug switches on it must give the
// expected finding (kind and signature, title when given), with the same report twice; with
// every switch off it must run clean. The files are listed when the test binary runs, and ctest
// discovers the tests before each run (PRE_TEST), so a newly promoted file is a new test.
// Under TSan the switch-on half runs in a child process (see the test body).
#include <gtest/gtest.h>

#include <sys/wait.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "fuzz/check/report.h"
#include "fuzz/exec/run_one.h"
#include "triage/output_files.h"
#include "triage/regression_file.h"

namespace hvfuzz {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> RegressionFiles() {
  std::vector<std::string> files;
  std::error_code ec;
  for (const fs::directory_entry& e :
       fs::directory_iterator(HVFUZZ_SOURCE_DIR "/tests/regressions", ec)) {
    if (e.path().extension() == ".hvp") files.push_back(e.path().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

// "xen-evtchn-kvm-lock.hvp" -> "XenEvtchnKvmLock" (GoogleTest names carry no underscores).
std::string TestName(const std::string& path) {
  std::string out;
  bool upper = true;
  for (char c : fs::path(path).stem().string()) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
      out += upper && c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
      upper = false;
    } else {
      upper = true;
    }
  }
  return out.empty() ? "Unnamed" : out;
}

exec::RunResult Replay(const triage::Regression& r, bool bugs_on) {
  exec::RunOptions options;
  if (bugs_on) {
    for (const std::string& b : r.bugs) options.bugs.Set(b, true);
  }
  return exec::RunOne(r.program, options);
}

class PromotedRegression : public ::testing::TestWithParam<std::string> {};

TEST_P(PromotedRegression, FindsWithSwitchesCleanWithout) {
  std::string text;
  ASSERT_TRUE(triage::ReadWholeFile(GetParam(), &text)) << GetParam();
  triage::RegressionParse parsed = triage::ParseRegression(text, GetParam());
  ASSERT_TRUE(parsed.regression.has_value()) << parsed.error;
  const triage::Regression& r = *parsed.regression;

#if defined(HVFUZZ_TSAN)
  // Some switches put back a real data race between model threads (gpc-refresh-race drops the
  // lock that serialized two refreshers), and TSan reports it: the process then ends with
  // TSan's exit code 66. So the switch-on half runs in a child; it must print the signature
  // line, with or without TSan's report of the race the switch reintroduces.
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(
      {
        exec::RunResult child = Replay(r, true);
        if (child.finding.has_value() && child.finding->Signature() == r.signature) {
          std::fprintf(stderr, "hvfuzz-regression: signature ok\n");
        }
        std::exit(0);
      },
      [](int status) {
        return WIFEXITED(status) && (WEXITSTATUS(status) == 0 || WEXITSTATUS(status) == 66);
      },
      "hvfuzz-regression: signature ok");
#else
  exec::RunResult with = Replay(r, true);
  ASSERT_TRUE(with.finding.has_value()) << GetParam() << ": no finding with bugs=" << r.bugs.size();
  EXPECT_EQ(check::FindingKindName(with.finding->kind), r.kind);
  EXPECT_EQ(with.finding->Signature(), r.signature) << check::RenderText(*with.finding);
  if (!r.title.empty()) EXPECT_EQ(with.finding->title, r.title);
  exec::RunResult again = Replay(r, true);
  ASSERT_TRUE(again.finding.has_value());
  EXPECT_EQ(check::RenderText(*again.finding), check::RenderText(*with.finding))
      << "two replays of " << GetParam() << " differ";
#endif

  if (r.clean_without_bugs) {
    exec::RunResult clean = Replay(r, false);
    EXPECT_FALSE(clean.finding.has_value())
        << GetParam() << " fails on the fixed model:\n" << check::RenderText(*clean.finding);
  }
}

INSTANTIATE_TEST_SUITE_P(Regressions, PromotedRegression, ::testing::ValuesIn(RegressionFiles()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           return TestName(info.param);
                         });
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(PromotedRegression);

}  // namespace
}  // namespace hvfuzz
