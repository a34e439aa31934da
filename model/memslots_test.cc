// SPDX-License-Identifier: Apache-2.0
// KVM_SET_USER_MEMORY_REGION on one task: create, delete, move, flags-only, the generation
// protocol (one swap per publish, two for delete/move), validation errors, and the error
// paths under fault injection (every exit releases slots_arch_lock exactly once).
#include <cerrno>
#include <string>

#include "gtest/gtest.h"
#include "model/kvm.h"
#include "model/testing/single_task_world.h"

namespace hvfuzz::model {
namespace {

using testing::SingleTaskWorld;

const MemslotSet& Active(World& w) { return *w.vm(0).active_memslots.load(); }

TEST(MemslotsTest, CreateBumpsGenerationOnceAndPublishesTheSlot) {
  SingleTaskWorld t(WorldConfig{.vms = 1, .vcpus = 1, .memslots = 0});
  ASSERT_EQ(Active(t.world()).generation, 0u);
  EXPECT_EQ(t.Run("memslot.set", 0, 3, 32, 4), 0);
  const MemslotSet& set = Active(t.world());
  ASSERT_NE(set.slots[3], nullptr);
  EXPECT_EQ(set.slots[3]->base_gfn, 32u);
  EXPECT_EQ(set.slots[3]->npages, 4u);
  EXPECT_EQ(set.slots[3]->userspace_addr, 3u * kSlotStride);
  EXPECT_EQ(set.generation, 1u);
  EXPECT_EQ(set.generation & kMemslotGenUpdateInProgress, 0u);
  // Both sets hold the same object once the update is complete.
  const Kvm& kvm = t.world().vm(0);
  EXPECT_EQ(kvm.memslot_sets[0].slots[3], kvm.memslot_sets[1].slots[3]);
  EXPECT_TRUE(t.observer().problems.empty()) << t.observer().ProblemsText();
}

TEST(MemslotsTest, DeleteAndMoveGoThroughAnInvalidSlotAndTwoSwaps) {
  SingleTaskWorld t(WorldConfig{.vms = 1, .vcpus = 1, .memslots = 2});
  uint64_t gen = Active(t.world()).generation;
  EXPECT_EQ(t.Run("memslot.set", 0, 1, 40, kMaxSlotPages), 0);  // move
  EXPECT_EQ(Active(t.world()).generation, gen + 2);
  EXPECT_EQ(Active(t.world()).slots[1]->base_gfn, 40u);
  EXPECT_FALSE(Active(t.world()).slots[1]->invalid());
  EXPECT_EQ(t.Run("memslot.set", 0, 1, 0, 0), 0);  // delete
  EXPECT_EQ(Active(t.world()).generation, gen + 4);
  EXPECT_EQ(Active(t.world()).slots[1], nullptr);
  EXPECT_TRUE(t.observer().problems.empty()) << t.observer().ProblemsText();
}

TEST(MemslotsTest, FlagsOnlyKeepsArchAndTogglesDirtyLogging) {
  SingleTaskWorld t(WorldConfig{.vms = 1, .vcpus = 1, .memslots = 1});
  Active(t.world()).slots[0]->arch.has_rmaps = true;
  EXPECT_EQ(t.Run("memslot.log_dirty", 0, 0, 1), 0);
  const Memslot* slot = Active(t.world()).slots[0];
  EXPECT_TRUE(slot->flags & kMemLogDirtyPages);
  EXPECT_TRUE(slot->arch.has_rmaps);  // kvm_arch_prepare_memory_region copies old->arch
  EXPECT_EQ(t.Run("memslot.log_dirty", 0, 0, 0), 0);
  EXPECT_FALSE(Active(t.world()).slots[0]->flags & kMemLogDirtyPages);
  EXPECT_TRUE(t.observer().problems.empty()) << t.observer().ProblemsText();
}

TEST(MemslotsTest, ValidationErrors) {
  SingleTaskWorld t(WorldConfig{.vms = 1, .vcpus = 1, .memslots = 2});
  EXPECT_EQ(t.Run("memslot.set", 0, 5, 0, 0), -EINVAL);           // delete a missing slot
  EXPECT_EQ(t.Run("memslot.set", 0, 1, 16, 4), -EINVAL);          // resize
  EXPECT_EQ(t.Run("memslot.set", 0, 2, 4, 4), -EEXIST);           // overlaps slot 0
  EXPECT_EQ(t.Run("memslot.set", 0, 1, 16, kMaxSlotPages), 0);    // nothing to change
  EXPECT_EQ(t.Run("memslot.set", 2, 1, 16, kMaxSlotPages), -EBADF);  // no VM in slot 2
  EXPECT_TRUE(t.observer().problems.empty()) << t.observer().ProblemsText();
}

// Every fallible step of create, move and delete fails in turn: no leak, no invariant.
TEST(MemslotsTest, EveryInjectedFailureReleasesEverything) {
  for (uint32_t nth = 1; nth <= 6; ++nth) {
    for (int change = 0; change < 3; ++change) {
      SingleTaskWorld t(WorldConfig{.vms = 1, .vcpus = 1, .memslots = 2}, {},
                        FaultInjection{nth});
      uint32_t slot = change == 0 ? 4 : 1;
      uint32_t gfn = change == 1 ? 48 : 64;
      uint32_t pages = change == 2 ? 0 : kMaxSlotPages;
      int r = t.Run("memslot.set", 0, slot, gfn, pages);
      EXPECT_TRUE(r == 0 || r == -ENOMEM) << r;
      EXPECT_TRUE(t.observer().problems.empty())
          << "nth=" << nth << " change=" << change << "\n" << t.observer().ProblemsText();
      // The VM is still usable: the same update succeeds without the fault.
      EXPECT_EQ(t.Run("memslot.set", 0, slot, gfn, pages) == -ENOMEM, false);
    }
  }
}

TEST(MemslotsTest, SlotsArchLockLeakSwitchLeaksOnCreatePrepareFailure) {
  BugSwitches bugs;
  bugs.slots_arch_lock_leak = true;
  // Steps of a create: kzalloc(new) is step 1, the arch prepare (metadata) is step 2.
  SingleTaskWorld t(WorldConfig{.vms = 1, .vcpus = 1, .memslots = 0}, bugs, FaultInjection{2});
  EXPECT_EQ(t.Run("memslot.set", 0, 0, 0, 4), -ENOMEM);
  EXPECT_TRUE(t.observer().HasProblem("held-at-return:memslot.set:&kvm->slots_arch_lock"))
      << t.observer().ProblemsText();
}

}  // namespace
}  // namespace hvfuzz::model

namespace hvfuzz::model {
namespace {

// The two detectors of a lost slot->arch update (docs D.5b), each on a state that breaks its
// invariant directly: first shadow root allocated, one slot without rmaps.
TEST(MemslotsArchInvariantTest, SwapReportsAnActiveSlotWithoutRmaps) {
  SingleTaskWorld t(WorldConfig{.vms = 1, .vcpus = 1, .memslots = 2});
  Kvm& kvm = t.world().vm(0);
  kvm.shadow_root_allocated.store(true);
  Active(t.world()).slots[0]->arch.has_rmaps = true;
  Active(t.world()).slots[1]->arch.has_rmaps = true;
  EXPECT_EQ(t.Run("memslot.set", 0, 1, 40, kMaxSlotPages), 0);  // every slot has rmaps: clean
  EXPECT_TRUE(t.observer().problems.empty()) << t.observer().ProblemsText();
  Active(t.world()).slots[0]->arch.has_rmaps = false;  // the lost update
  t.Run("memslot.set", 0, 1, 0, 0);
  EXPECT_NE(t.observer().ProblemsText().find("invariant:memslot-arch-lost"), std::string::npos)
      << t.observer().ProblemsText();
}

TEST(MemslotsArchInvariantTest, ShadowFaultReportsASlotWithoutRmaps) {
  SingleTaskWorld t(WorldConfig{.vms = 1, .vcpus = 1, .memslots = 1});
  t.world().vm(0).shadow_root_allocated.store(true);
  t.Run("vcpu.run", 0, 0, 1, 3);  // a nested (shadow) fault at gfn 3, in slot 0
  EXPECT_NE(t.observer().ProblemsText().find("invariant:memslot-rmap-missing"), std::string::npos)
      << t.observer().ProblemsText();
}

}  // namespace
}  // namespace hvfuzz::model
