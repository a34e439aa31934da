// SPDX-License-Identifier: Apache-2.0
// gfn_to_pfn caches on one task: activate maps the page the gpa translates to, a consumer
// dereferences it, an MMU-notifier invalidation makes the next use refresh to the new page,
// a memslot move changes the generation, deactivate unmaps. The invariants checked at use
// must stay quiet on the clean model.
#include <cerrno>

#include "gtest/gtest.h"
#include "model/gfn_to_pfn_cache.h"
#include "model/kvm.h"
#include "model/kvm_global.h"
#include "model/testing/single_task_world.h"

namespace hvfuzz::model {
namespace {

using testing::SingleTaskWorld;

// Test-only peek at a cache's fields (no concurrent task exists).
struct GpcState {
  bool active, valid;
  uint32_t pfn, khva, uhva;
};
GpcState Peek(const GfnToPfnCache& gpc) HV_NO_THREAD_SAFETY_ANALYSIS {
  return {gpc.active, gpc.valid, gpc.pfn, gpc.khva, gpc.uhva};
}

TEST(GfnToPfnCacheTest, ActivateMapsTheCurrentPage) {
  SingleTaskWorld t(WorldConfig{.vms = 1, .vcpus = 1, .memslots = 2, .gpcs = 1});
  ASSERT_EQ(t.Run("gpc.activate", 0, 0, 3), 0);
  Kvm& kvm = t.world().vm(0);
  GpcState s = Peek(kvm.gpcs[0]);
  EXPECT_TRUE(s.active);
  EXPECT_TRUE(s.valid);
  EXPECT_EQ(s.uhva, 3u);  // slot 0 maps gfn 0.. at hva 0..
  EXPECT_EQ(s.pfn, kvm.mm.Pte(3));
  EXPECT_TRUE(t.world().global().memory.IsLive(s.khva));
  EXPECT_EQ(t.Run("gpc.use", 0, 0), 0);
  EXPECT_TRUE(t.observer().problems.empty()) << t.observer().ProblemsText();
}

TEST(GfnToPfnCacheTest, InvalidationForcesARefreshToTheNewPage) {
  SingleTaskWorld t(WorldConfig{.vms = 1, .vcpus = 1, .memslots = 2, .gpcs = 1});
  ASSERT_EQ(t.Run("gpc.activate", 0, 0, 3), 0);
  Kvm& kvm = t.world().vm(0);
  GpcState before = Peek(kvm.gpcs[0]);
  ASSERT_EQ(t.Run("mmu.invalidate", 0, 2, 4, /*migrate=*/1), 0);
  EXPECT_FALSE(Peek(kvm.gpcs[0]).valid);
  EXPECT_NE(kvm.mm.Pte(3), before.pfn);
  EXPECT_EQ(t.Run("gpc.use", 0, 0), 0);  // refreshes inside the consumer loop
  GpcState after = Peek(kvm.gpcs[0]);
  EXPECT_TRUE(after.valid);
  EXPECT_EQ(after.pfn, kvm.mm.Pte(3));
  EXPECT_FALSE(t.world().global().memory.IsLive(before.khva));  // old mapping unmapped
  EXPECT_TRUE(t.observer().problems.empty()) << t.observer().ProblemsText();
}

TEST(GfnToPfnCacheTest, MemslotMoveChangesGenerationAndUhva) {
  SingleTaskWorld t(WorldConfig{.vms = 1, .vcpus = 1, .memslots = 2, .gpcs = 1});
  ASSERT_EQ(t.Run("gpc.activate", 0, 0, 18), 0);  // slot 1: gfn 16.. at hva 16..
  ASSERT_EQ(Peek(t.world().vm(0).gpcs[0]).uhva, 18u);
  ASSERT_EQ(t.Run("memslot.set", 0, 1, 40, kMaxSlotPages), 0);  // move slot 1 away
  EXPECT_EQ(t.Run("gpc.refresh", 0, 0), -EFAULT);  // gfn 18 is no longer backed
  EXPECT_FALSE(Peek(t.world().vm(0).gpcs[0]).valid);
  EXPECT_EQ(t.Run("gpc.activate", 0, 0, 42), 0);
  EXPECT_EQ(Peek(t.world().vm(0).gpcs[0]).uhva, 18u);  // same VMM page, new gpa
  EXPECT_EQ(t.Run("gpc.use", 0, 0), 0);
  EXPECT_TRUE(t.observer().problems.empty()) << t.observer().ProblemsText();
}

TEST(GfnToPfnCacheTest, DeactivateUnmapsAndUseFails) {
  SingleTaskWorld t(WorldConfig{.vms = 1, .vcpus = 1, .memslots = 1, .gpcs = 2});
  ASSERT_EQ(t.Run("gpc.activate", 0, 1, 2), 0);
  uint32_t khva = Peek(t.world().vm(0).gpcs[1]).khva;
  EXPECT_EQ(t.Run("gpc.deactivate", 0, 1), 0);
  EXPECT_FALSE(t.world().global().memory.IsLive(khva));
  EXPECT_EQ(t.Run("gpc.use", 0, 1), -EINVAL);  // refresh of an inactive cache
  EXPECT_EQ(t.Run("gpc.deactivate", 0, 1), 0);  // idempotent
  EXPECT_EQ(t.Run("gpc.use", 0, 3), -EINVAL);   // only `gpcs` caches exist
  EXPECT_TRUE(t.observer().problems.empty()) << t.observer().ProblemsText();
}

TEST(GfnToPfnCacheTest, FaultInjectionInRefreshLeavesTheCacheInvalid) {
  // Activation faults the page in (one allocation): make it fail.
  SingleTaskWorld t(WorldConfig{.vms = 1, .vcpus = 1, .memslots = 1, .gpcs = 1}, {},
                    FaultInjection{1});
  EXPECT_EQ(t.Run("gpc.activate", 0, 0, 1), -EFAULT);
  GpcState s = Peek(t.world().vm(0).gpcs[0]);
  EXPECT_TRUE(s.active);
  EXPECT_FALSE(s.valid);
  EXPECT_EQ(t.Run("gpc.use", 0, 0), 0);  // refresh succeeds now
  EXPECT_TRUE(t.observer().problems.empty()) << t.observer().ProblemsText();
}

}  // namespace
}  // namespace hvfuzz::model
