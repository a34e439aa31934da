// SPDX-License-Identifier: Apache-2.0
// Minimize (minimizer.h) against synthetic predicates whose minimal programs are known.
#include "fuzz/prog/minimizer.h"

#include <gtest/gtest.h>

#include <random>
#include <set>

#include "fuzz/prog/shape_fields.h"
#include "fuzz/prog/testing/random_program.h"
#include "fuzz/prog/text_codec.h"

namespace hvfuzz::prog {
namespace {

using testing::Call;
using testing::OpCode;

// The simplest header: every shape field at its minimum, fault off, default strategy, seed 0.
ProgramHeader MinimalHeader() {
  ProgramHeader h;
  for (const ShapeField& f : ShapeFields()) f.set(h.shape, f.min);
  return h;
}

// A large random program with `extra` ops planted in thread 2, in order, among other ops.
Program Haystack(uint64_t seed, const std::vector<model::OpCall>& planted) {
  std::mt19937_64 rng(seed);
  Program p;
  do {
    p = testing::RandomProgram(rng);
  } while (p.threads.size() < 3 || p.threads[2].size() + planted.size() > kMaxOpsPerThread);
  p.header.fault.fail_nth = 9;
  p.header.seed = 1234;
  for (size_t i = 0; i < planted.size(); ++i) {
    const size_t at =
        std::min(p.threads[2].size(), (i + 1) * p.threads[2].size() / (planted.size() + 1) + i);
    p.threads[2].insert(p.threads[2].begin() + at, planted[i]);
  }
  return p;
}

// Wraps a predicate: checks every candidate is valid and never asked twice.
StillFails Checked(std::function<bool(const Program&)> f, std::set<std::string>* seen) {
  return [f = std::move(f), seen](const Program& p) {
    EXPECT_EQ(Validate(p), "");
    EXPECT_TRUE(seen->insert(Print(p)).second) << "asked twice:\n" << Print(p);
    return f(p);
  };
}

bool HasOpBefore(const Program& p, uint16_t x, uint16_t y) {
  for (const auto& thread : p.threads) {
    const auto first_x =
        std::find_if(thread.begin(), thread.end(), [&](auto& c) { return c.op == x; });
    if (first_x != thread.end() && std::find_if(first_x + 1, thread.end(), [&](auto& c) {
                                     return c.op == y;
                                   }) != thread.end()) {
      return true;
    }
  }
  return false;
}

TEST(MinimizerTest, OpXBeforeOpYReducesToThoseTwoOps) {
  const uint16_t x = OpCode("memslot.set");
  const uint16_t y = OpCode("gpc.activate");
  for (uint64_t seed : {1, 2, 3}) {
    const Program input =
        Haystack(seed, {Call("memslot.set", {1, 3, 0x40, 5}), Call("gpc.activate", {1, 2, 0x20})});
    ASSERT_TRUE(HasOpBefore(input, x, y));
    std::set<std::string> seen;
    MinimizeStats stats;
    const Program m = Minimize(
        input, Checked([&](const Program& p) { return HasOpBefore(p, x, y); }, &seen), &stats);
    Program expected;
    expected.header = MinimalHeader();
    expected.threads = {{Call("memslot.set"), Call("gpc.activate")}};
    EXPECT_EQ(m, expected) << Print(m);
    EXPECT_FALSE(stats.budget_exhausted);
    EXPECT_EQ(stats.predicate_calls, static_cast<int>(seen.size()));
    EXPECT_GT(stats.reductions, 0);
  }
}

TEST(MinimizerTest, KeepsTwoThreadsWhenTheFailureNeedsThem) {
  const uint16_t x = OpCode("vm.create");
  const auto threads_with_x = [x](const Program& p) {
    int n = 0;
    for (const auto& t : p.threads)
      n += std::any_of(t.begin(), t.end(), [x](auto& c) { return c.op == x; });
    return n >= 2;
  };
  Program input = Haystack(5, {Call("vm.create")});
  input.threads[0].push_back(Call("vm.create"));
  std::set<std::string> seen;
  const Program m = Minimize(input, Checked(threads_with_x, &seen));
  Program expected;
  expected.header = MinimalHeader();
  expected.threads = {{Call("vm.create")}, {Call("vm.create")}};
  EXPECT_EQ(m, expected) << Print(m);
}

TEST(MinimizerTest, ShrinksValuesToTheThreshold) {
  const uint16_t x = OpCode("memslot.set");
  const auto slot_and_vcpus = [x](const Program& p) {
    if (p.header.shape.vcpus < 3) return false;
    for (const auto& t : p.threads) {
      for (const auto& c : t) {
        if (c.op == x && c.args[1] >= 5 && c.args[2] >= 0x30) return true;
      }
    }
    return false;
  };
  Program input = Haystack(6, {Call("memslot.set", {2, 7, 0x7f, 8})});
  input.header.shape.vcpus = 4;
  std::set<std::string> seen;
  const Program m = Minimize(input, Checked(slot_and_vcpus, &seen));
  Program expected;
  expected.header = MinimalHeader();
  expected.header.shape.vcpus = 3;
  expected.threads = {{Call("memslot.set", {0, 5, 0x30, 0})}};
  EXPECT_EQ(m, expected) << Print(m);
}

TEST(MinimizerTest, ShortensAndZeroesTheSchedule) {
  Program input = Haystack(7, {});
  input.schedule.assign(200, 0x55);
  // As if the third decision picked thread 1 of 4 runnable ones, under an injected fault.
  const auto third_picks_one = [](const Program& p) {
    return p.schedule.size() >= 3 && p.schedule[2] % 4 == 1 && p.header.fault.fail_nth != 0;
  };
  std::set<std::string> seen;
  const Program m = Minimize(input, Checked(third_picks_one, &seen));
  Program expected;
  expected.header = MinimalHeader();
  expected.header.fault.fail_nth = 9;  // needed: only "off" is tried, not smaller faults
  expected.schedule = {0, 0, 1};
  EXPECT_EQ(m, expected) << Print(m);
}

TEST(MinimizerTest, RespectsThePredicateBudget) {
  const Program input = Haystack(8, {});
  int calls = 0;
  MinimizeStats stats;
  const Program m = Minimize(
      input, [&](const Program&) { return ++calls % 3 == 0; }, &stats,
      MinimizeOptions{.max_predicate_calls = 25});
  EXPECT_EQ(calls, 25);
  EXPECT_EQ(stats.predicate_calls, 25);
  EXPECT_TRUE(stats.budget_exhausted);
  EXPECT_EQ(Validate(m), "");
}

TEST(MinimizerTest, IsDeterministicAndKeepsAnAlwaysFailingInputMinimal) {
  const Program input = Haystack(9, {});
  MinimizeStats a, b;
  const Program m1 = Minimize(
      input, [](const Program&) { return true; }, &a);
  const Program m2 = Minimize(
      input, [](const Program&) { return true; }, &b);
  EXPECT_EQ(m1, m2);
  EXPECT_EQ(a.predicate_calls, b.predicate_calls);
  Program expected;
  expected.header = MinimalHeader();
  EXPECT_EQ(m1, expected) << Print(m1);
  // Nothing smaller fails: the input comes back unchanged.
  EXPECT_EQ(Minimize(input, [&](const Program& p) { return p == input; }), input);
}

}  // namespace
}  // namespace hvfuzz::prog
