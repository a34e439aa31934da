// SPDX-License-Identifier: Apache-2.0
// TSan sees races between model tasks on fibers, and only those (docs/toolchain.md §1b): two
// tasks incrementing a shared heap int without a lock are reported; the same with a model Mutex
// around the increment is not, so neither the fiber switches nor the scheduler's bookkeeping
// order the tasks or race themselves. Each case runs in a child process (this binary, with a
// filter on a hidden helper test), whose stderr is checked for TSan's report.
// Only meaningful in the TSan build (cmake --preset tsan); elsewhere the tests are skipped.
#include <unistd.h>

#include <array>
#include <cstdio>
#include <string>

#include "fuzz/sched/controlled_scheduler.h"
#include "gtest/gtest.h"
#include "model/sync/internal/tsan_hooks.h"
#include "model/sync/mutex.h"
#include "model/sync/wait_event.h"

namespace hvfuzz::sched {
namespace {

const sync::LockClass kCounterLock{"tsan_counter_lock", sync::LockKind::kMutex};
constexpr const char* kRaceReport = "WARNING: ThreadSanitizer: data race";

void IncrementFromTwoTasks(bool locked) {
  int* counter = new int(0);
  sync::Mutex m(kCounterLock);
  ControlledScheduler s(ScheduleOptions{});
  for (int t = 0; t < 2; ++t) {
    s.Spawn("incrementer" + std::to_string(t), [&] {
      for (int i = 0; i < 4; ++i) {
        if (locked) {
          sync::MutexGuard g(m);
          ++*counter;
        } else {
          ++*counter;
        }
        sync::CondResched();
      }
    });
  }
  sync::SyncObserver observer;
  EXPECT_EQ(s.Run(observer).status, RunStatus::kCompleted);
  EXPECT_EQ(*counter, 8);
  delete counter;
}

// Hidden helpers: run only in the child process.
TEST(TsanRaceHelper, DISABLED_Unlocked) { IncrementFromTwoTasks(false); }
TEST(TsanRaceHelper, DISABLED_Locked) { IncrementFromTwoTasks(true); }

// Runs one helper in a child process and returns its combined output.
std::string RunHelper(const char* name) {
  std::array<char, 4096> self{};
  ssize_t len = readlink("/proc/self/exe", self.data(), self.size() - 1);
  if (len <= 0) return "readlink failed";
  std::string cmd = "'" + std::string(self.data(), static_cast<size_t>(len)) +
                    "' --gtest_also_run_disabled_tests --gtest_filter=TsanRaceHelper." + name +
                    " 2>&1";
  FILE* pipe = popen(cmd.c_str(), "r");
  if (pipe == nullptr) return "popen failed";
  std::string out;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), pipe)) > 0) out.append(buf.data(), n);
  pclose(pipe);
  return out;
}

TEST(TsanRaceTest, UnlockedIncrementsOnTwoFibersAreReported) {
  if (!sync::internal::kTsan) GTEST_SKIP() << "only meaningful in the TSan build";
  std::string out = RunHelper("DISABLED_Unlocked");
  EXPECT_NE(out.find(kRaceReport), std::string::npos) << out;
  EXPECT_NE(out.find("IncrementFromTwoTasks"), std::string::npos) << out;
}

TEST(TsanRaceTest, IncrementsUnderAModelMutexAreNotReported) {
  if (!sync::internal::kTsan) GTEST_SKIP() << "only meaningful in the TSan build";
  std::string out = RunHelper("DISABLED_Locked");
  EXPECT_EQ(out.find("WARNING: ThreadSanitizer"), std::string::npos) << out;
  EXPECT_NE(out.find("[  PASSED  ] 1 test"), std::string::npos) << out;
}

}  // namespace
}  // namespace hvfuzz::sched
