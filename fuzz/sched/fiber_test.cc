// SPDX-License-Identifier: Apache-2.0
// Fiber: switching, finishing into another fiber, stack reuse, exceptions and deep frames on
// fiber stacks (the cases that need the ASan hooks), and the guard page.
#include "fuzz/sched/fiber.h"

#include <stdexcept>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "model/sync/internal/tsan_hooks.h"

namespace hvfuzz::sched {
namespace {

// Fiber switches do not order the fibers for TSan (fiber.h); these tests share plain data
// between fibers, so every switch below is also a release/acquire handoff.
void Handoff(Fiber& from, Fiber& to) {
  sync::internal::TsanRelease(&to);
  from.SwitchTo(to);
  sync::internal::TsanAcquire(&from);
}
// The acquire half for a fiber's first run.
void Arrive(Fiber* self) { sync::internal::TsanAcquire(self); }
// The release half for a fiber's final switch (its entry returns `to`).
Fiber& FinishInto(Fiber& to) {
  sync::internal::TsanRelease(&to);
  return to;
}

// Two fibers and the thread's stack passing control around a ring, logging who ran.
struct Ring {
  Fiber home;
  Fiber* a = nullptr;
  Fiber* b = nullptr;
  std::vector<std::string> log;
  int rounds = 3;
};

Fiber& RunA(void* arg) {
  auto& r = *static_cast<Ring*>(arg);
  Arrive(r.a);
  for (int i = 0; i < r.rounds; ++i) {
    r.log.push_back("a" + std::to_string(i));
    Handoff(*r.a, *r.b);
  }
  return FinishInto(*r.b);  // finish into b, not home
}

Fiber& RunB(void* arg) {
  auto& r = *static_cast<Ring*>(arg);
  Arrive(r.b);
  for (int i = 0; i < r.rounds; ++i) {
    r.log.push_back("b" + std::to_string(i));
    Handoff(*r.b, *r.a);
  }
  r.log.push_back("b-end");
  return FinishInto(r.home);
}

TEST(FiberTest, SwitchesRoundRobinAndFinishesIntoAnotherFiber) {
  Ring r;
  Fiber a(&RunA, &r, "a"), b(&RunB, &r, "b");
  r.a = &a;
  r.b = &b;
  EXPECT_FALSE(a.started());
  Handoff(r.home, a);
  EXPECT_TRUE(a.finished());
  EXPECT_TRUE(b.finished());
  EXPECT_EQ(r.log, (std::vector<std::string>{"a0", "b0", "a1", "b1", "a2", "b2", "b-end"}));
}

TEST(FiberTest, NeverStartedFiberCanBeDestroyed) {
  Ring r;
  Fiber a(&RunA, &r);
  EXPECT_FALSE(a.started());
  EXPECT_FALSE(a.finished());
}

struct Counter {
  Fiber home;
  Fiber* self = nullptr;
  int value = 0;
};

Fiber& CountTo3(void* arg) {
  auto& c = *static_cast<Counter*>(arg);
  Arrive(c.self);
  for (int i = 0; i < 3; ++i) {
    ++c.value;
    Handoff(*c.self, c.home);
  }
  return FinishInto(c.home);
}

TEST(FiberTest, ThreadStackResumesWhereItLeft) {
  Counter c;
  Fiber f(&CountTo3, &c);
  c.self = &f;
  for (int expected = 1; expected <= 3; ++expected) {
    Handoff(c.home, f);
    EXPECT_EQ(c.value, expected);
    EXPECT_FALSE(f.finished());
  }
  Handoff(c.home, f);
  EXPECT_TRUE(f.finished());
}

TEST(FiberTest, StacksAreReusedAcrossFibers) {
  auto& pool = internal::StackPool::ForThisThread();
  {
    Counter warm;
    Fiber f(&CountTo3, &warm);
  }
  size_t pooled = pool.pooled();
  for (int i = 0; i < 1000; ++i) {
    Counter c;
    Fiber f(&CountTo3, &c);
    c.self = &f;
    while (!f.finished()) Handoff(c.home, f);
  }
  EXPECT_EQ(pool.pooled(), pooled);
}

// Exceptions thrown and caught on a fiber stack, across switches, at depth: without the ASan
// hooks this is where ASan warns about __asan_handle_no_return (docs/toolchain.md §1c).
__attribute__((noinline)) int Recurse(Counter& c, int depth) {
  volatile char frame[256];
  frame[0] = static_cast<char>(depth);
  if (depth == 0) {
    Handoff(*c.self, c.home);
    throw std::runtime_error("bottom");
  }
  return Recurse(c, depth - 1) + frame[0];
}

Fiber& ThrowDeep(void* arg) {
  auto& c = *static_cast<Counter*>(arg);
  Arrive(c.self);
  for (int i = 0; i < 5; ++i) {
    try {
      Recurse(c, 100);
    } catch (const std::runtime_error& e) {
      c.value += std::string(e.what()) == "bottom";
    }
  }
  return FinishInto(c.home);
}

TEST(FiberTest, ExceptionsAndDeepFramesOnFiberStacks) {
  Counter c;
  Fiber f(&ThrowDeep, &c);
  c.self = &f;
  while (!f.finished()) Handoff(c.home, f);
  EXPECT_EQ(c.value, 5);
  // And on the thread's own stack afterwards.
  EXPECT_THROW(throw std::runtime_error("main"), std::runtime_error);
}

__attribute__((noinline)) int Overflow(int depth) {
  volatile char frame[4096];
  frame[0] = static_cast<char>(depth);
  if (depth > (1 << 20)) return 0;  // far beyond any stack; keeps the recursion finite
  return Overflow(depth + 1) + frame[0];
}

Fiber& RunOverflow(void* arg) {
  Overflow(0);
  return static_cast<Counter*>(arg)->home;
}

TEST(FiberDeathTest, StackOverflowHitsTheGuardPage) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_DEATH(
      {
        Counter c;
        Fiber f(&RunOverflow, &c);
        Handoff(c.home, f);
      },
      "");
}

}  // namespace
}  // namespace hvfuzz::sched
