// SPDX-License-Identifier: Apache-2.0
// Test-only: golden files in triage/testdata/ (the googletest-output-test shape of
// fuzz/check/report_test.cc). HVFUZZ_UPDATE_GOLDEN=1 or --update_golden rewrites them; review
// the diff afterwards.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

namespace hvfuzz::triage::testing {

inline bool UpdateGolden() {
  const char* env = std::getenv("HVFUZZ_UPDATE_GOLDEN");
  if (env != nullptr && std::string(env) == "1") return true;
  std::ifstream cmdline("/proc/self/cmdline", std::ios::binary);
  for (std::string arg; std::getline(cmdline, arg, '\0');) {
    if (arg == "--update_golden") return true;
  }
  return false;
}

inline void ExpectGolden(const std::string& name, const std::string& actual) {
  const std::string path = std::string(HVFUZZ_SOURCE_DIR) + "/triage/testdata/" + name;
  if (UpdateGolden()) {
    std::ofstream(path, std::ios::binary) << actual;
    return;
  }
  std::ifstream in(path, std::ios::binary);
  ASSERT_TRUE(in.good()) << path << " is missing; run with HVFUZZ_UPDATE_GOLDEN=1 to create it";
  std::stringstream expected;
  expected << in.rdbuf();
  EXPECT_EQ(actual, expected.str()) << "golden " << path << " differs; HVFUZZ_UPDATE_GOLDEN=1 rewrites it";
}

}  // namespace hvfuzz::triage::testing
