// SPDX-License-Identifier: Apache-2.0
// Mutator: structure-aware mutation of Programs, for the engines' custom-mutator hooks
// (libFuzzer's LLVMFuzzerCustomMutator/CustomCrossOver, AFL++'s afl_custom_fuzz). After
// syzkaller's prog.Mutate, reduced to what a lock model needs: byte-level mutation rarely
// produces a second operation that names the *same* VM, slot or gfn as the first, and that
// coincidence is where locking bugs live. So most mutations work on whole operations, and new
// argument values are drawn from values of the same argument already in the program (the
// "resource reuse" of syzkaller) as often as from the argument's range.
//
// Mutations (one to a few per call, chosen at random):
//   ops       insert a new op (a random member of the OpSet) at a random place of a random
//             thread; remove one; duplicate one (same or another thread); swap two; move one to
//             another thread
//   args      set one argument: reuse a same-named argument's value, a boundary value (small
//             or the maximum), a random value in range, or +-1
//   op fault  arm one op's per-call fault point (mostly one of its first steps), or move an
//             armed one by one step, or disarm it (syzkaller's fault injection per call)
//   threads   add an empty thread, or drop one (its ops go too)
//   header    fault point (off, small, random, +-1), strategy, PCT depth, seed, one shape field
//   schedule  insert, erase, overwrite or clear schedule bytes
//   CrossOver splices threads of a second program into the first (per-thread: keep, take the
//             other's, or concatenate prefix and suffix)
//
// Contract: pure functions of (program, rng state). The result is always a valid program
// (Validate() is empty) whose ops are all in the OpSet given at construction, provided the
// input was valid with ops in that set. Deterministic for a given Rng seed. Thread-compatible:
// a Mutator is immutable after construction; each caller owns its Rng.
#pragma once

#include <cstdint>

#include "fuzz/prog/op_set.h"
#include "fuzz/prog/program.h"

namespace hvfuzz::prog {

// A small deterministic generator (splitmix64): the same sequence on every standard library,
// so a mutation seed means the same mutation everywhere.
class MutationRng {
 public:
  explicit MutationRng(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  // Uniform in [0, n); n > 0.
  uint32_t Below(uint32_t n) { return static_cast<uint32_t>(Next() % n); }
  bool OneIn(uint32_t n) { return Below(n) == 0; }

 private:
  uint64_t state_;
};

class Mutator {
 public:
  explicit Mutator(const OpSet& ops);

  // Applies one to a few random mutations to `p`. Returns false only when it could not change
  // the program (e.g. an empty OpSet and nothing else to do); `p` stays valid either way.
  bool Mutate(Program& p, MutationRng& rng) const;

  // Splices `other` into `p` (both valid, ops in the set); the result is valid.
  void CrossOver(Program& p, const Program& other, MutationRng& rng) const;

  // The single mutations, for tests and for callers that want one kind. Each returns true when
  // it changed `p`.
  bool InsertOp(Program& p, MutationRng& rng) const;
  bool RemoveOp(Program& p, MutationRng& rng) const;
  bool DuplicateOp(Program& p, MutationRng& rng) const;
  bool SwapOps(Program& p, MutationRng& rng) const;
  bool MoveOp(Program& p, MutationRng& rng) const;
  bool MutateArg(Program& p, MutationRng& rng) const;
  bool MutateOpFault(Program& p, MutationRng& rng) const;
  bool MutateThreads(Program& p, MutationRng& rng) const;
  bool MutateHeader(Program& p, MutationRng& rng) const;
  bool MutateSchedule(Program& p, MutationRng& rng) const;

 private:
  // A value for argument `arg` of `op`: reused from the program, small, random or nearby.
  uint32_t ArgValue(const Program& p, uint16_t op, int arg, uint32_t current,
                    MutationRng& rng) const;

  OpSet ops_;
  uint16_t members_[kMaxOperations] = {};
  int num_members_ = 0;
};

}  // namespace hvfuzz::prog
