// SPDX-License-Identifier: Apache-2.0
#include "fuzz/prog/mutator.h"

#include <algorithm>
#include <utility>

#include "fuzz/prog/shape_fields.h"

namespace hvfuzz::prog {
namespace {

// Picks a random op position among all threads; false when the program has no ops.
bool PickOp(const Program& p, MutationRng& rng, size_t* thread, size_t* index) {
  const int n = p.num_ops();
  if (n == 0) return false;
  uint32_t k = rng.Below(static_cast<uint32_t>(n));
  for (size_t t = 0; t < p.threads.size(); ++t) {
    if (k < p.threads[t].size()) {
      *thread = t;
      *index = k;
      return true;
    }
    k -= static_cast<uint32_t>(p.threads[t].size());
  }
  return false;
}

// A thread with room for one more op, or false when every thread is full.
bool PickThreadWithRoom(const Program& p, MutationRng& rng, size_t* thread) {
  const size_t start = rng.Below(static_cast<uint32_t>(p.threads.size()));
  for (size_t i = 0; i < p.threads.size(); ++i) {
    const size_t t = (start + i) % p.threads.size();
    if (p.threads[t].size() < static_cast<size_t>(kMaxOpsPerThread)) {
      *thread = t;
      return true;
    }
  }
  return false;
}

// Small fault points hit the first fallible steps of the run, where the interesting error
// paths of a short program are; the tail of the range is still reachable.
uint32_t FaultValue(uint32_t current, MutationRng& rng) {
  switch (rng.Below(5)) {
    case 0: return 0;
    case 1: return 1 + rng.Below(16);
    case 2: return current < kMaxFailNth ? current + 1 : current;
    case 3: return current > 0 ? current - 1 : 0;
    default: return rng.Below(kMaxFailNth + 1);
  }
}

}  // namespace

Mutator::Mutator(const OpSet& ops) : ops_(ops) {
  const auto all = model::Operations();
  for (size_t op = 0; op < all.size(); ++op) {
    if (ops_.Contains(static_cast<uint16_t>(op))) members_[num_members_++] = static_cast<uint16_t>(op);
  }
}

uint32_t Mutator::ArgValue(const Program& p, uint16_t op, int arg, uint32_t current,
                           MutationRng& rng) const {
  const model::ArgSpec& spec = model::Operations()[op].args[arg];
  const uint32_t max = spec.max;
  switch (rng.Below(4)) {
    case 0: {
      // Reuse: a value some op of the program passes in an argument of the same name (a VM
      // slot, a memslot id, a gfn) or of the same range (vcpu.run's fault address is a gfn
      // too), so that two operations meet on one object.
      uint32_t seen = 0;
      uint32_t chosen = current;
      for (const auto& thread : p.threads) {
        for (const model::OpCall& call : thread) {
          const model::OpSpec& other = model::Operations()[call.op];
          for (int a = 0; a < other.nargs; ++a) {
            const bool same_kind = other.args[a].name == spec.name ||
                                   (other.args[a].max == max && max > 3);
            if (!same_kind || call.args[a] > max) continue;
            // Reservoir sampling: every occurrence equally likely.
            if (rng.Below(++seen) == 0) chosen = call.args[a];
          }
        }
      }
      if (seen != 0) return chosen;
      [[fallthrough]];
    }
    case 1:
      // Boundary values, as AFL's "interesting" ones: small numbers, and the maximum, which
      // for a size is the whole object (memslot.set pages=8: a slot of the start shape's
      // size, the only size a MOVE accepts).
      return rng.OneIn(4) ? max : std::min<uint32_t>(max, rng.Below(4));
    case 2:
      return max == UINT32_MAX ? static_cast<uint32_t>(rng.Next())
                               : static_cast<uint32_t>(rng.Next() % (uint64_t{max} + 1));
    default:
      if (rng.OneIn(2)) return current < max ? current + 1 : 0;
      return current > 0 ? current - 1 : max;
  }
}

bool Mutator::InsertOp(Program& p, MutationRng& rng) const {
  if (num_members_ == 0) return false;
  size_t t = 0;
  if (!PickThreadWithRoom(p, rng, &t)) return false;
  model::OpCall call;
  call.op = members_[rng.Below(static_cast<uint32_t>(num_members_))];
  const model::OpSpec& spec = model::Operations()[call.op];
  for (int a = 0; a < spec.nargs; ++a) call.args[a] = ArgValue(p, call.op, a, 0, rng);
  auto& thread = p.threads[t];
  thread.insert(thread.begin() + rng.Below(static_cast<uint32_t>(thread.size() + 1)), call);
  return true;
}

bool Mutator::RemoveOp(Program& p, MutationRng& rng) const {
  size_t t = 0, i = 0;
  if (!PickOp(p, rng, &t, &i)) return false;
  p.threads[t].erase(p.threads[t].begin() + static_cast<std::ptrdiff_t>(i));
  return true;
}

bool Mutator::DuplicateOp(Program& p, MutationRng& rng) const {
  size_t t = 0, i = 0, to = 0;
  if (!PickOp(p, rng, &t, &i)) return false;
  if (!PickThreadWithRoom(p, rng, &to)) return false;
  const model::OpCall call = p.threads[t][i];
  auto& thread = p.threads[to];
  thread.insert(thread.begin() + rng.Below(static_cast<uint32_t>(thread.size() + 1)), call);
  return true;
}

bool Mutator::SwapOps(Program& p, MutationRng& rng) const {
  size_t t1 = 0, i1 = 0, t2 = 0, i2 = 0;
  if (!PickOp(p, rng, &t1, &i1) || !PickOp(p, rng, &t2, &i2)) return false;
  if (t1 == t2 && i1 == i2) return false;
  std::swap(p.threads[t1][i1], p.threads[t2][i2]);
  return true;
}

bool Mutator::MoveOp(Program& p, MutationRng& rng) const {
  if (p.threads.size() < 2) return false;
  size_t t = 0, i = 0;
  if (!PickOp(p, rng, &t, &i)) return false;
  size_t to = (t + 1 + rng.Below(static_cast<uint32_t>(p.threads.size() - 1))) % p.threads.size();
  auto& dest = p.threads[to];
  if (dest.size() >= static_cast<size_t>(kMaxOpsPerThread)) return false;
  const model::OpCall call = p.threads[t][i];
  p.threads[t].erase(p.threads[t].begin() + static_cast<std::ptrdiff_t>(i));
  dest.insert(dest.begin() + rng.Below(static_cast<uint32_t>(dest.size() + 1)), call);
  return true;
}

bool Mutator::MutateArg(Program& p, MutationRng& rng) const {
  size_t t = 0, i = 0;
  if (!PickOp(p, rng, &t, &i)) return false;
  model::OpCall& call = p.threads[t][i];
  const model::OpSpec& spec = model::Operations()[call.op];
  if (spec.nargs == 0) return false;
  const int a = static_cast<int>(rng.Below(spec.nargs));
  const uint32_t before = call.args[a];
  call.args[a] = ArgValue(p, call.op, a, before, rng);
  return call.args[a] != before;
}

bool Mutator::MutateOpFault(Program& p, MutationRng& rng) const {
  size_t t = 0, i = 0;
  if (!PickOp(p, rng, &t, &i)) return false;
  uint8_t& n = p.threads[t][i].fail_nth;
  const uint8_t before = n;
  if (n == 0) {
    // Calls take few fallible steps; the first ones are where most error paths start.
    n = static_cast<uint8_t>(1 + rng.Below(rng.OneIn(2) ? 4 : model::kMaxOpFailNth));
  } else {
    switch (rng.Below(3)) {
      case 0: n = 0; break;
      case 1: n = n < model::kMaxOpFailNth ? n + 1 : n - 1; break;
      default: n = n > 1 ? n - 1 : n + 1; break;
    }
  }
  return n != before;
}

bool Mutator::MutateThreads(Program& p, MutationRng& rng) const {
  const bool grow = p.threads.size() < static_cast<size_t>(kMaxThreads) &&
                    (p.threads.size() == 1 || rng.OneIn(2));
  if (grow) {
    p.threads.emplace_back();
    // An empty thread changes nothing until an op lands in it: give it one.
    const size_t t = p.threads.size() - 1;
    size_t from = 0, i = 0;
    if (PickOp(p, rng, &from, &i) && rng.OneIn(2)) {
      p.threads[t].push_back(p.threads[from][i]);
    } else {
      InsertOp(p, rng);  // may land elsewhere when the new thread was not picked; still valid
    }
    return true;
  }
  if (p.threads.size() < 2) return false;
  p.threads.erase(p.threads.begin() + rng.Below(static_cast<uint32_t>(p.threads.size())));
  return true;
}

bool Mutator::MutateHeader(Program& p, MutationRng& rng) const {
  ProgramHeader& h = p.header;
  const ProgramHeader before = h;
  switch (rng.Below(5)) {
    case 0:
      h.fault.fail_nth = FaultValue(h.fault.fail_nth, rng);
      break;
    case 1:
      h.strategy = h.strategy == Strategy::kPct ? Strategy::kRandom : Strategy::kPct;
      h.pct_depth = kDefaultPctDepth;
      break;
    case 2:
      if (h.strategy == Strategy::kPct) {
        h.pct_depth = static_cast<uint8_t>(kMinPctDepth + rng.Below(kMaxPctDepth - kMinPctDepth + 1));
      } else {
        h.seed = rng.Next();
      }
      break;
    case 3:
      h.seed = rng.OneIn(2) ? rng.Next() : h.seed + 1;
      break;
    default: {
      const auto fields = ShapeFields();
      const ShapeField& field = fields[rng.Below(static_cast<uint32_t>(fields.size()))];
      field.set(h.shape, field.min + rng.Below(field.max - field.min + 1));
      break;
    }
  }
  return !(h == before);
}

bool Mutator::MutateSchedule(Program& p, MutationRng& rng) const {
  auto& s = p.schedule;
  const auto byte = [&rng] { return static_cast<uint8_t>(rng.Below(kMaxThreads)); };
  switch (rng.Below(4)) {
    case 0:
      if (s.size() >= static_cast<size_t>(kMaxScheduleBytes)) return false;
      s.insert(s.begin() + rng.Below(static_cast<uint32_t>(s.size() + 1)), byte());
      return true;
    case 1:
      if (s.empty()) return false;
      s.erase(s.begin() + rng.Below(static_cast<uint32_t>(s.size())));
      return true;
    case 2: {
      if (s.empty()) return false;
      uint8_t& b = s[rng.Below(static_cast<uint32_t>(s.size()))];
      const uint8_t before = b;
      b = byte();
      return b != before;
    }
    default:
      if (s.empty()) return false;
      s.clear();
      return true;
  }
}

bool Mutator::Mutate(Program& p, MutationRng& rng) const {
  bool changed = false;
  // Mostly one mutation, sometimes a burst (syzkaller stops with probability 1/3 per step).
  for (int round = 0; round < 8; ++round) {
    bool did = false;
    const uint32_t roll = rng.Below(100);
    if (roll < 20) did = InsertOp(p, rng);
    else if (roll < 30) did = RemoveOp(p, rng);
    else if (roll < 40) did = DuplicateOp(p, rng);
    else if (roll < 48) did = SwapOps(p, rng);
    else if (roll < 56) did = MoveOp(p, rng);
    else if (roll < 70) did = MutateArg(p, rng);
    else if (roll < 74) did = MutateOpFault(p, rng);
    else if (roll < 78) did = MutateThreads(p, rng);
    else if (roll < 90) did = MutateHeader(p, rng);
    else did = MutateSchedule(p, rng);
    changed |= did;
    if (changed && rng.Below(3) != 0) break;
  }
  return changed;
}

void Mutator::CrossOver(Program& p, const Program& other, MutationRng& rng) const {
  const size_t n = std::max(p.threads.size(), other.threads.size());
  p.threads.resize(n);
  for (size_t t = 0; t < n; ++t) {
    if (t >= other.threads.size()) continue;
    auto& mine = p.threads[t];
    const auto& theirs = other.threads[t];
    switch (rng.Below(3)) {
      case 0:
        break;  // keep ours
      case 1:
        mine = theirs;
        break;
      default: {
        // Our prefix, their suffix.
        const size_t cut_mine = rng.Below(static_cast<uint32_t>(mine.size() + 1));
        const size_t cut_theirs = rng.Below(static_cast<uint32_t>(theirs.size() + 1));
        mine.resize(cut_mine);
        mine.insert(mine.end(), theirs.begin() + static_cast<std::ptrdiff_t>(cut_theirs), theirs.end());
        if (mine.size() > static_cast<size_t>(kMaxOpsPerThread)) mine.resize(kMaxOpsPerThread);
        break;
      }
    }
  }
  if (rng.OneIn(2)) p.header = other.header;
  if (rng.OneIn(4)) p.schedule = other.schedule;
}

}  // namespace hvfuzz::prog
