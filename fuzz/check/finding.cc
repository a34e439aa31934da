// SPDX-License-Identifier: Apache-2.0
// Finding names, LockRef conversion and the signature (dedup key).
//
// Signature, in three steps:
//   1. the kind's stable name;
//   2. the lock classes that characterize the bug (see Finding::Signature in finding.h); a cycle
//      is rotated to its lexicographically smallest rotation, so it starts at the smallest name
//      and two reports of one cycle entered at different edges agree; sets are sorted;
//   3. the upstream function of the title (the text after " in "), except for a cycle: which
//      edge closes a cycle depends on the interleaving, and the cycle alone is the bug.
// Only names enter it: no task ids, instance labels, steps or sites.
#include "fuzz/check/finding.h"

#include <algorithm>
#include <array>

#include "model/sync/lock_base.h"

namespace hvfuzz::check {
namespace {

struct KindInfo {
  FindingKind kind;
  std::string_view name;
  std::string_view prefix;
};

constexpr std::array<KindInfo, 10> kKinds = {{
    {FindingKind::kDeadlock, "deadlock", "deadlock-"},
    {FindingKind::kLockOrderCycle, "lock-order-cycle", "lockorder-"},
    {FindingKind::kRecursiveLocking, "recursive-locking", "recursive-lock-"},
    {FindingKind::kSleepInAtomic, "sleep-in-atomic", "atomic-sleep-"},
    {FindingKind::kLockHeldAtReturn, "lock-held-at-return", "lock-leak-"},
    {FindingKind::kBadUnlock, "bad-unlock", "bad-unlock-"},
    {FindingKind::kLockNotHeld, "lock-not-held", "not-held-"},
    {FindingKind::kInvariantViolation, "invariant-violation", "invariant-"},
    {FindingKind::kStepBudget, "step-budget", "step-budget-"},
    {FindingKind::kWatchdogHang, "watchdog-hang", "hang-"},
}};

// The rotation of `v` that is lexicographically smallest (it starts at the smallest name).
std::vector<std::string> MinimalRotation(const std::vector<std::string>& v) {
  std::vector<std::string> best = v;
  std::vector<std::string> cur = v;
  for (size_t i = 1; i < v.size(); ++i) {
    std::rotate(cur.begin(), cur.begin() + 1, cur.end());
    if (cur < best) best = cur;
  }
  return best;
}

void SortUnique(std::vector<std::string>& v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
}

const TaskSnapshot* FindTask(const std::vector<TaskSnapshot>& tasks, int id) {
  for (const TaskSnapshot& t : tasks) {
    if (t.task == id) return &t;
  }
  return nullptr;
}

std::vector<std::string> WaitedClasses(const std::vector<TaskSnapshot>& tasks) {
  std::vector<std::string> out;
  for (const TaskSnapshot& t : tasks) {
    if (t.waiting_for && !t.finished) out.push_back(t.waiting_for->lock_class);
  }
  SortUnique(out);
  return out;
}

// The classes that characterize the finding (step 2 of the signature).
std::vector<std::string> SignatureClasses(const Finding& f) {
  std::vector<std::string> out;
  if (!f.cycle.empty()) {
    for (const Dependency& d : f.cycle) out.push_back(d.to.lock_class);
    return MinimalRotation(out);
  }
  const TaskSnapshot* self = FindTask(f.tasks, f.task);
  switch (f.kind) {
    case FindingKind::kRecursiveLocking:
    case FindingKind::kBadUnlock:
    case FindingKind::kLockNotHeld:
      if (f.acquiring) out.push_back(f.acquiring->lock_class);
      return out;
    case FindingKind::kSleepInAtomic: {
      std::vector<std::string> spinning;
      if (self) {
        for (const LockRef& h : self->held) {
          if (sync::IsSpinning(h.kind)) spinning.push_back(h.lock_class);
        }
      }
      SortUnique(spinning);
      if (f.acquiring) out.push_back(f.acquiring->lock_class);
      out.insert(out.end(), spinning.begin(), spinning.end());
      return out;
    }
    case FindingKind::kLockHeldAtReturn:
      if (self) {
        for (const LockRef& h : self->held) out.push_back(h.lock_class);
      }
      SortUnique(out);
      return out;
    case FindingKind::kInvariantViolation:
      out.push_back(f.invariant);
      return out;
    case FindingKind::kDeadlock:
    case FindingKind::kWatchdogHang:
    case FindingKind::kStepBudget:
    case FindingKind::kLockOrderCycle:
      return WaitedClasses(f.tasks);
  }
  return out;
}

}  // namespace

std::string_view FindingKindName(FindingKind kind) {
  for (const KindInfo& k : kKinds) {
    if (k.kind == kind) return k.name;
  }
  return "unknown";
}

std::string_view FindingArtifactPrefix(FindingKind kind) {
  for (const KindInfo& k : kKinds) {
    if (k.kind == kind) return k.prefix;
  }
  return "finding-";
}

std::optional<FindingKind> FindingKindFromName(std::string_view name) {
  for (const KindInfo& k : kKinds) {
    if (k.name == name) return k.kind;
  }
  return std::nullopt;
}

std::string FindingTitle(FindingKind kind, std::string_view function) {
  std::string title(FindingKindName(kind));
  title += " in ";
  title += function.empty() ? std::string_view("?") : function;
  return title;
}

std::string_view AcquireVerb(sync::LockKind kind, sync::AcquireMode mode, bool trylock) {
  const bool write = mode == sync::AcquireMode::kExclusive;
  switch (kind) {
    case sync::LockKind::kMutex:
      return trylock ? "trylock" : "lock";
    case sync::LockKind::kSpinLock:
      return trylock ? "spin_trylock" : "spin_lock";
    case sync::LockKind::kRwLock:
      if (write) return trylock ? "write_trylock" : "write_lock";
      return trylock ? "read_trylock" : "read_lock";
    case sync::LockKind::kRwSemaphore:
      if (write) return trylock ? "down_write_trylock" : "down_write";
      return trylock ? "down_read_trylock" : "down_read";
    case sync::LockKind::kPercpuRwSem:
      if (write) return "percpu_down_write";
      return trylock ? "percpu_down_read_trylock" : "percpu_down_read";
    case sync::LockKind::kSrcu:
      return write ? "synchronize_srcu" : "srcu_read_lock";
    case sync::LockKind::kLockdepMap:
      return write ? "lock_map_acquire" : "lock_map_acquire_read";
  }
  return "lock";
}

std::string_view ReleaseVerb(sync::LockKind kind, sync::AcquireMode mode) {
  const bool write = mode == sync::AcquireMode::kExclusive;
  switch (kind) {
    case sync::LockKind::kMutex:
      return "unlock";
    case sync::LockKind::kSpinLock:
      return "spin_unlock";
    case sync::LockKind::kRwLock:
      return write ? "write_unlock" : "read_unlock";
    case sync::LockKind::kRwSemaphore:
      return write ? "up_write" : "up_read";
    case sync::LockKind::kPercpuRwSem:
      return write ? "percpu_up_write" : "percpu_up_read";
    case sync::LockKind::kSrcu:
      return write ? "synchronize_srcu" : "srcu_read_unlock";
    case sync::LockKind::kLockdepMap:
      return "lock_map_release";
  }
  return "unlock";
}

std::string FormatSite(sync::Site site) {
  if (site.file == nullptr || site.file[0] == '\0') return {};
  return std::string(site.file) + ":" + std::to_string(site.line);
}

LockRef LockRef::FromHeld(const sync::HeldLock& held) {
  LockRef ref;
  if (held.lock != nullptr) {
    ref.lock_class = std::string(held.lock->ClassName());
    // Lockdep names a nested subclass "class/N": it is a distinct node of the order graph.
    if (held.subclass != 0) ref.lock_class += "/" + std::to_string(held.subclass);
    ref.instance = held.lock->label();
    ref.kind = held.lock->lock_class().kind();
  }
  ref.mode = held.mode;
  ref.site = FormatSite(held.site);
  for (int i = 0; i < held.frames.depth; ++i) {
    if (held.frames.names[i] != nullptr) ref.frames.emplace_back(held.frames.names[i]);
  }
  return ref;
}

std::string LockRef::Action() const {
  std::string s(AcquireVerb(kind, mode));
  s += "(";
  s += lock_class;
  s += ")";
  return s;
}

std::string Finding::Signature() const {
  std::string sig(FindingKindName(kind));
  sig += "|";
  std::vector<std::string> classes = SignatureClasses(*this);
  for (size_t i = 0; i < classes.size(); ++i) {
    if (i) sig += ",";
    sig += classes[i];
  }
  sig += "|";
  // A cycle is the bug whichever edge closed it: the title's function names that edge, which
  // depends on the interleaving, so it would split one cycle into several buckets.
  if (!cycle.empty()) return sig;
  size_t in = title.find(" in ");
  if (in != std::string::npos) sig += title.substr(in + 4);
  return sig;
}

}  // namespace hvfuzz::check
