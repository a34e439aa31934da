// SPDX-License-Identifier: Apache-2.0
// LockOrderFeedback through direct observer calls on two tasks (as the validator's two-task
// tests do): which events write a feature in each mode, and that a feature depends on what it
// says it depends on — for the hand-over feature, both tasks' calling contexts — and on
// nothing else (the same hand-over again writes no new counter).
#include "fuzz/exec/feedback.h"

#include <algorithm>
#include <array>
#include <cstdlib>
#include <numeric>
#include <string>

#include "fuzz/exec/options.h"
#include "gtest/gtest.h"
#include "model/sync/mutex.h"
#include "model/sync/single_task_runtime.h"
#include "model/sync/task.h"

namespace hvfuzz::exec {
namespace {

using sync::LockClass;
using sync::LockKind;
using sync::Mutex;

const LockClass kArch{"slots_arch_lock", LockKind::kMutex};
const LockClass kOther{"slots_lock", LockKind::kMutex};
constexpr sync::Site kSite{"model/x.cc", 1};

class FeedbackTest : public ::testing::Test {
 protected:
  int CountersSet() const { return std::accumulate(counters_.begin(), counters_.end(), 0); }

  void Acquire(sync::Task& t, const Mutex& lock) {
    sync::HeldLock h;
    h.lock = &lock;
    h.site = kSite;
    h.frames = t.Frames();
    fb_.OnAcquire(t, h);
    t.held().Push(h);
  }
  void Release(sync::Task& t, const Mutex& lock) {
    sync::HeldLock h;
    h.lock = &lock;
    t.held().Remove(&lock);
    fb_.OnRelease(t, h, kSite);
  }
  // `t` releases `lock` inside `callee` <- `caller`, as kvm_swap_active_memslots does.
  void ReleaseIn(sync::Task& t, const Mutex& lock, const char* callee, const char* caller) {
    t.PushFrame(caller);
    t.PushFrame(callee);
    Release(t, lock);
    t.PopFrame();
    t.PopFrame();
  }
  void AcquireReleaseIn(sync::Task& t, const Mutex& lock, const char* fn) {
    t.PushFrame(fn);
    Acquire(t, lock);
    Release(t, lock);
    t.PopFrame();
  }

  std::array<uint8_t, 1 << 12> counters_{};
  LockOrderFeedback fb_;
  sync::SingleTaskRuntime rt_{fb_};
  sync::Task t0_{0, "memslots", rt_, fb_};
  sync::Task t1_{1, "vcpu0", rt_, fb_};
};

TEST_F(FeedbackTest, HandoverFeatureKeysOnBothCallingContexts) {
  fb_.SetCounters(counters_.data(), counters_.size(), FeedbackMode::kHandover);
  Mutex arch(kArch);
  // t0 takes slots_arch_lock and drops it in kvm_swap_active_memslots <- `caller`; then t1
  // takes and drops it in `taker`.
  auto round_trip = [&](const char* caller, const char* taker) {
    Acquire(t0_, arch);
    ReleaseIn(t0_, arch, "kvm_swap_active_memslots", caller);
    AcquireReleaseIn(t1_, arch, taker);
  };
  Acquire(t0_, arch);
  ReleaseIn(t0_, arch, "kvm_swap_active_memslots", "kvm_invalidate_memslot");
  EXPECT_EQ(CountersSet(), 0) << "a first acquisition is no hand-over";
  AcquireReleaseIn(t1_, arch, "mmu_first_shadow_root_alloc");
  EXPECT_EQ(CountersSet(), 1);

  // t0 takes it back from t1 (a hand-over the other way: new), and the round trip repeats.
  round_trip("kvm_invalidate_memslot", "mmu_first_shadow_root_alloc");
  EXPECT_EQ(CountersSet(), 2);
  // The same round trip again: the same two features.
  round_trip("kvm_invalidate_memslot", "mmu_first_shadow_root_alloc");
  EXPECT_EQ(CountersSet(), 2);
  // Released by the same callee under another caller: a new window, a new feature.
  round_trip("kvm_activate_memslot", "mmu_first_shadow_root_alloc");
  EXPECT_EQ(CountersSet(), 3);
  // Taken in another function: new again.
  round_trip("kvm_activate_memslot", "kvm_set_memslot");
  EXPECT_EQ(CountersSet(), 4);
}

TEST_F(FeedbackTest, HandoverModeIgnoresSameTaskReacquisitionAndLockOrder) {
  fb_.SetCounters(counters_.data(), counters_.size(), FeedbackMode::kHandover);
  Mutex arch(kArch), other(kOther);
  Acquire(t0_, other);
  Acquire(t0_, arch);  // slots_lock -> slots_arch_lock: a lock-order edge, not a hand-over
  ReleaseIn(t0_, arch, "kvm_swap_active_memslots", "kvm_invalidate_memslot");
  AcquireReleaseIn(t0_, arch, "kvm_invalidate_memslot");  // the same task takes it back
  Release(t0_, other);
  EXPECT_EQ(CountersSet(), 0);
  EXPECT_EQ(fb_.edges_seen(), 1u) << "the progress line counts edges in every mode";
}

TEST_F(FeedbackTest, ResetRunForgetsTheLastReleaser) {
  fb_.SetCounters(counters_.data(), counters_.size(), FeedbackMode::kHandover);
  Mutex arch(kArch);
  Acquire(t0_, arch);
  ReleaseIn(t0_, arch, "kvm_swap_active_memslots", "kvm_invalidate_memslot");
  fb_.ResetRun();  // a new program: t1 of this run did not follow t0 of the last one
  AcquireReleaseIn(t1_, arch, "mmu_first_shadow_root_alloc");
  EXPECT_EQ(CountersSet(), 0);
}

TEST_F(FeedbackTest, LockOrderModeWritesEdgeAndContextFeatures) {
  fb_.SetCounters(counters_.data(), counters_.size(), FeedbackMode::kLockOrder);
  Mutex arch(kArch), other(kOther);
  Acquire(t0_, other);
  EXPECT_EQ(CountersSet(), 1);  // context: (slots_lock, {})
  Acquire(t0_, arch);
  EXPECT_EQ(CountersSet(), 3);  // + edge slots_lock -> slots_arch_lock, + its context
}

TEST_F(FeedbackTest, OffWritesNothing) {
  fb_.SetCounters(counters_.data(), counters_.size(), FeedbackMode::kOff);
  Mutex arch(kArch), other(kOther);
  Acquire(t0_, other);
  Acquire(t0_, arch);
  ReleaseIn(t0_, arch, "kvm_swap_active_memslots", "kvm_invalidate_memslot");
  AcquireReleaseIn(t1_, arch, "mmu_first_shadow_root_alloc");
  EXPECT_EQ(CountersSet(), 0);
}

// A stand-in for AFL++'s runtime: __sanitizer_cov_trace_pc_guard bumps the guard's map byte.
std::array<uint8_t, (1 << 12) + 100> g_afl_map{};
void BumpGuard(uint32_t* guard) { ++g_afl_map[*guard]; }

TEST_F(FeedbackTest, SlotMapReportsEachFeatureOncePerRunThroughItsGuard) {
  std::array<uint32_t, 1 << 12> slots{};
  std::iota(slots.begin(), slots.end(), 100u);  // the runtime numbered them 100, 101, ...
  g_afl_map.fill(0);
  fb_.SetSlotMap(BumpGuard, slots.data(), slots.size(), FeedbackMode::kHandover);
  Mutex arch(kArch);
  auto handover = [&] {
    Acquire(t0_, arch);
    ReleaseIn(t0_, arch, "kvm_swap_active_memslots", "kvm_invalidate_memslot");
    AcquireReleaseIn(t1_, arch, "mmu_first_shadow_root_alloc");
  };
  handover();
  EXPECT_EQ(std::accumulate(g_afl_map.begin(), g_afl_map.end(), 0), 1);
  EXPECT_EQ(std::accumulate(g_afl_map.begin(), g_afl_map.begin() + 100, 0), 0)
      << "only numbered slots are written";
  handover();  // t1 -> t0 is new; t0 -> t1 again is not reported twice in one run
  EXPECT_EQ(std::accumulate(g_afl_map.begin(), g_afl_map.end(), 0), 2);
  EXPECT_EQ(*std::max_element(g_afl_map.begin(), g_afl_map.end()), 1)
      << "a repeat would change AFL++'s hit-count bucket";
  fb_.ResetRun();
  g_afl_map.fill(0);  // the engine clears its map between runs
  handover();
  handover();
  EXPECT_EQ(std::accumulate(g_afl_map.begin(), g_afl_map.end(), 0), 2) << "reported again";
  EXPECT_EQ(CountersSet(), 0) << "the byte counters are not written in slot-map mode";
}

TEST(FeedbackOptionTest, ParsesModesAndNamesTheVariableOnError) {
  Options o;
  std::string error;
  ASSERT_EQ(setenv("HVFUZZ_FEEDBACK", "handover", 1), 0);
  ASSERT_TRUE(OptionsFromEnvironment(&o, &error)) << error;
  EXPECT_EQ(o.feedback, FeedbackMode::kHandover);
  ASSERT_EQ(setenv("HVFUZZ_FEEDBACK", "1", 1), 0);
  ASSERT_TRUE(OptionsFromEnvironment(&o, &error)) << error;
  EXPECT_EQ(o.feedback, FeedbackMode::kLockOrder);
  ASSERT_EQ(setenv("HVFUZZ_FEEDBACK", "edges", 1), 0);
  EXPECT_FALSE(OptionsFromEnvironment(&o, &error));
  EXPECT_EQ(error, "HVFUZZ_FEEDBACK: expected 0, 1 or 'handover', got 'edges'");
  ASSERT_EQ(setenv("HVFUZZ_FEEDBACK", "0", 1), 0);
  ASSERT_TRUE(OptionsFromEnvironment(&o, &error)) << error;
  EXPECT_EQ(o.feedback, FeedbackMode::kOff);
  unsetenv("HVFUZZ_FEEDBACK");
  ASSERT_TRUE(OptionsFromEnvironment(&o, &error)) << error;
  EXPECT_EQ(o.feedback, FeedbackMode::kHandover) << "the default (docs/fuzzing.md)";
}

}  // namespace
}  // namespace hvfuzz::exec
