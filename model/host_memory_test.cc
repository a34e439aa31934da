// SPDX-License-Identifier: Apache-2.0
// HostMm's page-table updates: a fault installs a page only into an empty entry and a
// migration replaces only the page it found, so two racing faults on one hva end up sharing
// one page, and a zap that won against a migration stays a zap.
#include "model/host_memory.h"

#include <thread>
#include <vector>

#include "gtest/gtest.h"

namespace hvfuzz::model {
namespace {

TEST(HostMmTest, InstallPteFillsAnEmptyEntryOnly) {
  HostMm mm("mm");
  mm.Reset();
  EXPECT_EQ(mm.InstallPte(3, 7), 7u);
  EXPECT_EQ(mm.Pte(3), 7u);
  // The loser of a fault race gets the winner's page back, and the entry keeps it.
  EXPECT_EQ(mm.InstallPte(3, 9), 7u);
  EXPECT_EQ(mm.Pte(3), 7u);
  EXPECT_EQ(mm.InstallPte(kHvaPages, 9), kNoPfn);  // out of range: nothing mapped
}

TEST(HostMmTest, ReplacePteChangesOnlyThePageItFound) {
  HostMm mm("mm");
  mm.Reset();
  mm.SetPte(4, 5);
  EXPECT_TRUE(mm.ReplacePte(4, 5, 6));
  EXPECT_EQ(mm.Pte(4), 6u);
  mm.SetPte(4, kNoPfn);                   // a zap came in between the read and the swap
  EXPECT_FALSE(mm.ReplacePte(4, 6, 8));   // the migration's stale read must not undo it
  EXPECT_EQ(mm.Pte(4), kNoPfn);
}

TEST(HostMmTest, RacingFaultsOnOneHvaAgreeOnOnePage) {
  constexpr int kThreads = 4;
  for (int round = 0; round < 200; ++round) {
    HostMm mm("mm");
    mm.Reset();
    std::vector<uint32_t> got(kThreads);
    std::vector<std::thread> threads;
    for (int i = 0; i < kThreads; ++i) {
      threads.emplace_back([&mm, &got, i] { got[i] = mm.InstallPte(1, 100 + i); });
    }
    for (auto& t : threads) t.join();
    for (int i = 0; i < kThreads; ++i) EXPECT_EQ(got[i], mm.Pte(1)) << "round " << round;
  }
}

}  // namespace
}  // namespace hvfuzz::model
