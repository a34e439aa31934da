// SPDX-License-Identifier: Apache-2.0
// Properties of the structure-aware mutator (fixed seeds, so failures reproduce): mutants stay
// valid and inside the target's OpSet, survive the binary round trip the engines put them
// through, each mutation kind really changes programs, argument reuse makes operations meet on
// one object far more often than uniform values would, and a seed means one mutation.
#include "fuzz/prog/mutator.h"

#include <gtest/gtest.h>

#include <functional>
#include <random>
#include <set>
#include <string>

#include "fuzz/prog/binary_codec.h"
#include "fuzz/prog/testing/random_program.h"

namespace hvfuzz::prog {
namespace {

using testing::Call;
using testing::RandomBytes;

class MutatorPropertyTest : public ::testing::TestWithParam<const char*> {};

TEST_P(MutatorPropertyTest, MutantsAreValidInSliceAndRoundTrip) {
  const OpSet ops = *OpSet::ForSlices(GetParam());
  const DecodeOptions options{ops};
  const Mutator mutator(ops);
  std::mt19937_64 bytes_rng(42);
  MutationRng rng(7);
  int changed = 0;
  for (int i = 0; i < 300; ++i) {
    Program p = Decode(RandomBytes(bytes_rng, 200), options);
    for (int step = 0; step < 20; ++step) {
      const Program before = p;
      const bool did = mutator.Mutate(p, rng);
      if (did) ++changed;
      ASSERT_EQ(Validate(p), "") << "seed iteration " << i << " step " << step;
      ASSERT_TRUE(ops.ContainsAll(p));
      ASSERT_EQ(Decode(Encode(p), options), p);
      if (!did) EXPECT_EQ(p, before);
    }
  }
  // Nearly every call changes something (a call that cannot is the rare exception).
  EXPECT_GT(changed, 300 * 20 * 9 / 10);
}

TEST_P(MutatorPropertyTest, CrossOverIsValidAndMixesBothParents) {
  const OpSet ops = *OpSet::ForSlices(GetParam());
  const DecodeOptions options{ops};
  const Mutator mutator(ops);
  std::mt19937_64 bytes_rng(3);
  MutationRng rng(11);
  int differs_from_first = 0;
  for (int i = 0; i < 500; ++i) {
    Program a = Decode(RandomBytes(bytes_rng, 200), options);
    const Program b = Decode(RandomBytes(bytes_rng, 200), options);
    const Program before = a;
    mutator.CrossOver(a, b, rng);
    ASSERT_EQ(Validate(a), "");
    ASSERT_TRUE(ops.ContainsAll(a));
    if (!(a == before)) ++differs_from_first;
  }
  EXPECT_GT(differs_from_first, 250);
}

INSTANTIATE_TEST_SUITE_P(Slices, MutatorPropertyTest,
                         ::testing::Values("vm", "memslots", "mmu", "gpc", "xen", "global"));

// Each single mutation, applied to a mid-sized program, changes it when it says so and says so
// most of the time.
TEST(MutatorTest, EveryMutationKindChangesPrograms) {
  const OpSet ops = OpSet::All();
  const Mutator m(ops);
  using Fn = bool (Mutator::*)(Program&, MutationRng&) const;
  const std::pair<const char*, Fn> kinds[] = {
      {"InsertOp", &Mutator::InsertOp},     {"RemoveOp", &Mutator::RemoveOp},
      {"DuplicateOp", &Mutator::DuplicateOp}, {"SwapOps", &Mutator::SwapOps},
      {"MoveOp", &Mutator::MoveOp},         {"MutateArg", &Mutator::MutateArg},
      {"MutateOpFault", &Mutator::MutateOpFault},
      {"MutateThreads", &Mutator::MutateThreads}, {"MutateHeader", &Mutator::MutateHeader},
      {"MutateSchedule", &Mutator::MutateSchedule},
  };
  Program base;
  base.threads = {{Call("memslot.set", {0, 1, 40, 8}), Call("vcpu.run", {0, 0, 1, 17})},
                  {Call("mmu.invalidate", {0, 3, 4}), Call("vcpu.run", {0, 1, 0, 2})}};
  base.schedule = {0, 1, 1, 0};
  for (const auto& [name, fn] : kinds) {
    MutationRng rng(99);
    int said = 0;
    for (int i = 0; i < 200; ++i) {
      Program p = base;
      const bool did = (m.*fn)(p, rng);
      ASSERT_EQ(Validate(p), "") << name;
      if (did) {
        ++said;
        EXPECT_FALSE(p == base) << name << " reported a change that did not happen";
      }
    }
    EXPECT_GT(said, 100) << name;
  }
}

// The per-call fault point is armed mostly on a call's first steps, moved by one step when
// armed, and disarmed again, so a fuzzer can walk one call's error paths.
TEST(MutatorTest, OpFaultArmsSmallValuesAndDisarms) {
  const Mutator m(OpSet::All());
  MutationRng rng(5);
  int armed_small = 0, armed = 0, disarmed = 0;
  for (int i = 0; i < 400; ++i) {
    Program p;
    p.threads = {{Call("memslot.set", {0, 1, 40, 8})}};
    p.threads[0][0].fail_nth = static_cast<uint8_t>(i % 2 == 0 ? 0 : 3);
    ASSERT_TRUE(m.MutateOpFault(p, rng));
    ASSERT_EQ(Validate(p), "");
    const uint8_t n = p.threads[0][0].fail_nth;
    if (i % 2 == 0) {
      ASSERT_NE(n, 0);
      ++armed;
      armed_small += n <= 4;
    } else {
      EXPECT_TRUE(n == 0 || n == 2 || n == 4) << int{n};
      disarmed += n == 0;
    }
  }
  EXPECT_GT(armed_small, armed / 2);
  EXPECT_GT(disarmed, 30);
}

// Inserted operations name an object already in the program much more often than the 1 in 8
// (memslot ids) a uniform value would: that is what makes two operations race on one slot.
TEST(MutatorTest, InsertedArgumentsReuseValuesOfTheProgram) {
  const OpSet ops = *OpSet::ForSlices("memslots");
  const Mutator m(ops);
  Program base;
  base.threads = {{Call("memslot.set", {0, 5, 40, 8})}};
  MutationRng rng(5);
  int slot_args = 0, reused = 0;
  const auto slot_op = model::FindOperation("memslot.set");
  for (int i = 0; i < 2000; ++i) {
    Program p = base;
    ASSERT_TRUE(m.InsertOp(p, rng));
    // The inserted op is whichever record is not the original one.
    const model::OpCall& inserted =
        (p.threads[0][0].op == *slot_op && p.threads[0][0].args == base.threads[0][0].args)
            ? p.threads[0][1]
            : p.threads[0][0];
    const model::OpSpec& spec = model::Operations()[inserted.op];
    for (int a = 0; a < spec.nargs; ++a) {
      if (spec.args[a].name != "slot") continue;
      ++slot_args;
      if (inserted.args[a] == 5) ++reused;
    }
  }
  ASSERT_GT(slot_args, 200);
  EXPECT_GT(reused * 4, slot_args) << reused << " of " << slot_args;  // > 25%, uniform: 12.5%
}

TEST(MutatorTest, SameSeedSameMutation) {
  const OpSet ops = OpSet::All();
  const Mutator m(ops);
  std::mt19937_64 bytes_rng(8);
  for (int i = 0; i < 100; ++i) {
    const Program start = Decode(RandomBytes(bytes_rng, 120));
    Program a = start, b = start;
    MutationRng ra(1000 + i), rb(1000 + i);
    m.Mutate(a, ra);
    m.Mutate(b, rb);
    EXPECT_EQ(a, b);
  }
}

TEST(MutatorTest, EmptyOpSetOnlyTouchesHeaderAndSchedule) {
  const Mutator m{OpSet{}};
  Program p;
  MutationRng rng(1);
  for (int i = 0; i < 200; ++i) {
    m.Mutate(p, rng);
    ASSERT_EQ(Validate(p), "");
    ASSERT_EQ(p.num_ops(), 0);
  }
}

}  // namespace
}  // namespace hvfuzz::prog
