// SPDX-License-Identifier: Apache-2.0
// Fibers under ASan with use-after-return detection on (the OSS-Fuzz runner's
// detect_stack_use_after_return=1): a pooled stack keeps its fake stack for the next fiber,
// use-after-return is still caught on a reused fake stack after thousands of fibers, and
// unmapping pooled stacks (a thread's pool going away) frees their fake stacks.
// Built only in ASan builds (HVFUZZ_ASAN); the binary turns the runtime flag on itself.
#include <sanitizer/asan_interface.h>

#include <cstdio>
#include <cstring>
#include <thread>

#include "fuzz/sched/fiber.h"
#include "gtest/gtest.h"

// Read by the ASan runtime before main; ASAN_OPTIONS from the environment still wins.
extern "C" const char* __asan_default_options() { return "detect_stack_use_after_return=1"; }

namespace hvfuzz::sched {
namespace {

// What one fiber saw of its fake stack.
struct Seen {
  void* fake_stack = nullptr;     // __asan_get_current_fake_stack() inside the fiber
  const char* escaped = nullptr;  // a local's address, kept after its function returned
  bool on_fake_stack = false;     // that local was in a live frame of the fake stack
};

struct Probe {
  Fiber home;
  Seen seen;
};

// A local whose address escapes: ASan puts the frame on the fake stack when UAR is on.
// (ASan answers "is it in the fake stack" only for live frames, so that is asked here.)
__attribute__((noinline)) const char* EscapeLocal(bool* on_fake_stack = nullptr) {
  char buf[64];
  std::memset(buf, 1, sizeof buf);
  if (on_fake_stack != nullptr) {
    *on_fake_stack = __asan_addr_is_in_fake_stack(__asan_get_current_fake_stack(), buf, nullptr,
                                                  nullptr) != nullptr;
  }
  const char* volatile p = buf;
  return p;
}

Fiber& RunProbe(void* arg) {
  auto& probe = *static_cast<Probe*>(arg);
  probe.seen.escaped = EscapeLocal(&probe.seen.on_fake_stack);
  probe.seen.fake_stack = __asan_get_current_fake_stack();
  return probe.home;
}

Seen RunOneFiber() {
  Probe probe;
  Fiber f(&RunProbe, &probe);
  probe.home.SwitchTo(f);
  EXPECT_TRUE(f.finished());
  return probe.seen;
}

// Virtual size of this process in KiB (/proc/self/status VmSize).
long VmSizeKiB() {
  FILE* f = std::fopen("/proc/self/status", "r");
  if (f == nullptr) return -1;
  char line[256];
  long kib = -1;
  while (std::fgets(line, sizeof line, f) != nullptr) {
    if (std::sscanf(line, "VmSize: %ld kB", &kib) == 1) break;
  }
  std::fclose(f);
  return kib;
}

class FiberFakeStackTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // The flag may have been turned off from the environment; then there is nothing to test.
    EscapeLocal();
    if (__asan_get_current_fake_stack() == nullptr) {
      GTEST_SKIP() << "ASan use-after-return detection is off (ASAN_OPTIONS)";
    }
  }
};

TEST_F(FiberFakeStackTest, NextFiberOnAPooledStackAdoptsItsFakeStack) {
  Seen first = RunOneFiber();
  ASSERT_NE(first.fake_stack, nullptr);
  EXPECT_TRUE(first.on_fake_stack);
  // The fiber is gone but its fake stack is not: the frame it returned from stays poisoned
  // (a destroyed fake stack would have been unpoisoned and unmapped).
  EXPECT_TRUE(__asan_address_is_poisoned(first.escaped));
  // The stack went back to the pool with its fake stack; the next fiber takes both.
  Seen second = RunOneFiber();
  EXPECT_EQ(second.fake_stack, first.fake_stack);
}

TEST_F(FiberFakeStackTest, UseAfterReturnIsStillCaughtOnAReusedFakeStack) {
  Seen probe;
  for (int i = 0; i < 5000; ++i) probe = RunOneFiber();
  // The 5000th fiber's escaped local is on the fake stack, and poisoned since its function
  // returned: an access would be reported as stack-use-after-return. Frames that fibers never
  // returned from have not filled the fake stack up (then the local would be on the real one).
  ASSERT_NE(probe.fake_stack, nullptr);
  EXPECT_TRUE(probe.on_fake_stack);
  EXPECT_TRUE(__asan_address_is_poisoned(probe.escaped));
}

TEST_F(FiberFakeStackTest, AThreadsPoolFreesItsFakeStacksWhenTheThreadExits) {
  // Each thread runs fibers (its pool keeps a stack and a fake stack of a few MiB of address
  // space) and exits. If the pool leaked its fake stacks the process would grow by that much
  // per thread; glibc reuses the exited thread's stack, so without a leak it stays flat.
  auto run_thread = [] {
    std::thread t([] {
      for (int i = 0; i < 3; ++i) RunOneFiber();
    });
    t.join();
  };
  run_thread();  // warm up: glibc's stack cache, ASan's per-thread state
  const long before = VmSizeKiB();
  ASSERT_GT(before, 0);
  constexpr int kThreads = 20;
  for (int i = 0; i < kThreads; ++i) run_thread();
  const long grown = VmSizeKiB() - before;
  // A leaked fake stack for a 256 KiB fiber stack is about 2.8 MiB; 20 of them would be 56 MiB.
  EXPECT_LT(grown, 16 * 1024) << "VmSize grew by " << grown << " KiB over " << kThreads
                              << " threads";
}

}  // namespace
}  // namespace hvfuzz::sched
