// SPDX-License-Identifier: Apache-2.0
// Wait-for graph and the actual-deadlock finding.
//
// Shortest wait-for cycle (the textbook BFS girth search, one BFS per node):
//   1. nodes: unfinished tasks that wait; edge a -> b when b is in a's blocked_by and is itself
//      an unfinished waiting task (a runnable or finished blocker cannot be on a cycle);
//   2. for each start s, in `tasks` order, BFS over out-edges in ascending task id order; the
//      first edge u -> s closes a cycle of length dist(u) + 1; keep the strictly shortest;
//   3. rebuild the path from BFS parents and rotate it to the minimal rotation of the
//      (waited-for class, wait frame) keys, so the title and the order do not depend on ids.
#include "fuzz/check/wait_for_graph.h"

#include <algorithm>
#include <deque>

#include "model/sync/internal/shared_lock.h"
#include "model/sync/lock_base.h"
#include "model/sync/wait_event.h"

namespace hvfuzz::check {
namespace {


sync::AcquireMode WaitMode(const sync::Task& t, sync::LockKind kind) {
  switch (kind) {
    case sync::LockKind::kRwSemaphore:
    case sync::LockKind::kRwLock:
    case sync::LockKind::kPercpuRwSem:
      if (t.wait_token() == sync::internal::SharedLock::kWaitTokenWrite) return sync::AcquireMode::kExclusive;
      return kind == sync::LockKind::kRwLock && t.in_interrupt() ? sync::AcquireMode::kRecursiveRead
                                                                 : sync::AcquireMode::kRead;
    default:
      // Mutexes and spinlocks are exclusive; the only SRCU wait is synchronize_srcu (a write).
      return sync::AcquireMode::kExclusive;
  }
}

std::string EventVerb(const sync::LockBase& lock) {
  if (dynamic_cast<const sync::Completion*>(&lock)) return "wait_for_completion";
  if (dynamic_cast<const sync::WaitQueue*>(&lock)) return "wait_event";
  if (dynamic_cast<const sync::RcuWait*>(&lock)) return "rcuwait_wait_event";
  return "wait";
}

// Fills `snap.waiting_for` and `snap.wait_action` from what `t` is blocked on.
void SnapshotWait(const sync::Task& t, const sync::Waitable& what, TaskSnapshot& snap) {
  LockRef ref;
  ref.site = FormatSite(t.wait_site());
  ref.frames = snap.frames;
  ref.lock_class = std::string(what.ClassName());
  if (const auto* lock = dynamic_cast<const sync::LockBase*>(&what)) {
    ref.instance = lock->label();
    ref.kind = lock->lock_class().kind();
    ref.mode = WaitMode(t, ref.kind);
    snap.wait_action = dynamic_cast<const sync::EventBase*>(lock)
                           ? EventVerb(*lock) + "(" + ref.lock_class + ")"
                           : ref.Action();
  } else {
    ref.kind = sync::LockKind::kLockdepMap;
    snap.wait_action = "wait(" + ref.lock_class + ")";
  }
  std::vector<const sync::Task*> blockers;
  what.BlockersOf(t, blockers);
  for (const sync::Task* b : blockers) snap.blocked_by.push_back(b->id());
  std::sort(snap.blocked_by.begin(), snap.blocked_by.end());
  snap.blocked_by.erase(std::unique(snap.blocked_by.begin(), snap.blocked_by.end()),
                        snap.blocked_by.end());
  snap.waiting_for = std::move(ref);
}

bool Blocked(const TaskSnapshot& s) { return !s.finished && s.waiting_for.has_value(); }

std::string Tid(int id) { return "t" + std::to_string(id); }

// The upstream function the task waits (or runs) in: its innermost frame, else the frame of
// its newest held lock, else empty.
std::string InnermostFrame(const TaskSnapshot& s) {
  if (!s.frames.empty()) return s.frames.front();
  if (!s.held.empty() && !s.held.back().frames.empty()) return s.held.back().frames.front();
  return {};
}

const TaskSnapshot* FindSnapshot(const std::vector<TaskSnapshot>& snaps, int id) {
  for (const TaskSnapshot& s : snaps) {
    if (s.task == id) return &s;
  }
  return nullptr;
}

std::string JoinTasks(const std::vector<int>& ids) {
  std::string out;
  for (size_t i = 0; i < ids.size(); ++i) out += (i ? "," : "") + Tid(ids[i]);
  return out;
}

// "t0 and t1 wait for each other: t0 in lock(&kvm->lock) on t1, t1 in ... on t0".
std::string CycleHeadline(const std::vector<TaskSnapshot>& snaps, const std::vector<int>& cycle) {
  const size_t n = cycle.size();
  const TaskSnapshot& first = snaps[cycle[0]];
  if (n == 1) return Tid(first.task) + " waits for itself in " + first.wait_action;
  std::string out;
  for (size_t k = 0; k < n; ++k) {
    out += k == 0 ? "" : (k + 1 == n ? " and " : ", ");
    out += Tid(snaps[cycle[k]].task);
  }
  out += n == 2 ? " wait for each other: " : " wait in a cycle: ";
  for (size_t k = 0; k < n; ++k) {
    const TaskSnapshot& s = snaps[cycle[k]];
    out += (k ? ", " : "") + Tid(s.task) + " in " + s.wait_action + " on " +
           Tid(snaps[cycle[(k + 1) % n]].task);
  }
  return out;
}

// "all 2 unfinished tasks are blocked; no wait-for cycle: t1 waits for lock(&x) held by
// finished task t0; t2 waits for wait_for_completion(&done) that no task signals".
std::string HangHeadline(const std::vector<TaskSnapshot>& snaps) {
  int unfinished = 0;
  int blocked = 0;
  std::vector<std::string> causes;
  for (const TaskSnapshot& s : snaps) {
    unfinished += s.finished ? 0 : 1;
    if (!Blocked(s)) continue;
    ++blocked;
    std::string waits = Tid(s.task) + " waits for " + s.wait_action;
    if (s.blocked_by.empty()) {
      bool event = s.waiting_for->kind == sync::LockKind::kLockdepMap;
      causes.push_back(waits + (event ? " that no task signals" : " that no task holds"));
    }
    for (int id : s.blocked_by) {
      const TaskSnapshot* b = FindSnapshot(snaps, id);
      if (b == nullptr || b->finished) {
        causes.push_back(waits + " held by finished task " + Tid(id));
      } else if (!Blocked(*b)) {
        causes.push_back(waits + " held by runnable task " + Tid(id));
      }
    }
  }
  if (blocked == 0) return "no task is blocked";
  std::string out = blocked == unfinished
                        ? "all " + std::to_string(unfinished) + " unfinished tasks are blocked"
                        : std::to_string(blocked) + " of " + std::to_string(unfinished) +
                              " unfinished tasks are blocked";
  if (unfinished == 1 && blocked == 1) out = "the only unfinished task is blocked";
  out += "; no wait-for cycle";
  for (size_t i = 0; i < causes.size(); ++i) out += (i ? "; " : ": ") + causes[i];
  return out;
}

// "the step budget of 100000 scheduling points ran out with 2 unfinished tasks: t0 runnable
// in kvm_vcpu_ioctl, t1 in lock(&kvm->lock) on t0".
std::string StepBudgetHeadline(const std::vector<TaskSnapshot>& snaps, uint64_t steps) {
  std::vector<std::string> parts;
  for (const TaskSnapshot& s : snaps) {
    if (s.finished) continue;
    if (Blocked(s)) {
      std::string p = Tid(s.task) + " in " + s.wait_action;
      if (!s.blocked_by.empty()) p += " on " + JoinTasks(s.blocked_by);
      parts.push_back(p);
    } else {
      parts.push_back(Tid(s.task) + " runnable" + (s.frames.empty() ? "" : " in " + s.frames[0]));
    }
  }
  std::string out = "the step budget of " + std::to_string(steps) +
                    " scheduling points ran out with " + std::to_string(parts.size()) +
                    " unfinished tasks";
  for (size_t i = 0; i < parts.size(); ++i) out += (i ? ", " : ": ") + parts[i];
  return out;
}

// Step 1-2: indices into `snaps` of the shortest cycle (first task waits for the second, ...,
// the last for the first), or empty.
std::vector<int> ShortestCycle(const std::vector<TaskSnapshot>& snaps) {
  const int n = static_cast<int>(snaps.size());
  auto index_of = [&](int id) {
    for (int i = 0; i < n; ++i) {
      if (snaps[i].task == id) return i;
    }
    return -1;
  };
  std::vector<std::vector<int>> out(n);
  for (int i = 0; i < n; ++i) {
    if (!Blocked(snaps[i])) continue;
    for (int id : snaps[i].blocked_by) {
      int j = index_of(id);
      if (j >= 0 && Blocked(snaps[j])) out[i].push_back(j);
    }
  }
  std::vector<int> best;
  for (int s = 0; s < n; ++s) {
    if (!Blocked(snaps[s])) continue;
    std::vector<int> parent(n, -2);
    std::deque<int> queue{s};
    parent[s] = -1;
    int closing = -1;
    while (!queue.empty() && closing < 0) {
      int u = queue.front();
      queue.pop_front();
      for (int v : out[u]) {
        if (v == s) {
          closing = u;
          break;
        }
        if (parent[v] != -2) continue;
        parent[v] = u;
        queue.push_back(v);
      }
    }
    if (closing < 0) continue;
    std::vector<int> cycle;
    for (int v = closing; v != -1; v = parent[v]) cycle.push_back(v);
    std::reverse(cycle.begin(), cycle.end());
    if (best.empty() || cycle.size() < best.size()) best = std::move(cycle);
  }
  return best;
}

std::string WaitKey(const TaskSnapshot& s) {
  return s.waiting_for->lock_class + '\x01' + InnermostFrame(s);
}

// Step 3: rotation of `cycle` with the smallest sequence of wait keys.
void RotateCanonically(const std::vector<TaskSnapshot>& snaps, std::vector<int>& cycle) {
  std::vector<std::string> keys;
  keys.reserve(cycle.size());
  for (int i : cycle) keys.push_back(WaitKey(snaps[i]));
  std::vector<std::string> best_keys = keys;
  std::vector<int> best = cycle;
  for (size_t r = 1; r < keys.size(); ++r) {
    std::rotate(keys.begin(), keys.begin() + 1, keys.end());
    std::rotate(cycle.begin(), cycle.begin() + 1, cycle.end());
    if (keys < best_keys) {
      best_keys = keys;
      best = cycle;
    }
  }
  cycle = std::move(best);
}

// `holder`'s newest hold of the lock `wanted` (same class and instance); empty when `holder`
// holds nothing of it but is queued ahead of the waiter.
LockRef HeldMatching(const TaskSnapshot& holder, const LockRef& wanted) {
  for (auto it = holder.held.rbegin(); it != holder.held.rend(); ++it) {
    if (it->lock_class == wanted.lock_class && it->instance == wanted.instance) return *it;
  }
  return {};
}

}  // namespace

std::vector<TaskSnapshot> SnapshotTasks(std::span<const TaskState> tasks) {
  std::vector<TaskSnapshot> snaps;
  snaps.reserve(tasks.size());
  for (const TaskState& state : tasks) {
    const sync::Task& t = *state.task;
    TaskSnapshot& snap = snaps.emplace_back();
    snap.task = t.id();
    snap.name = t.name();
    snap.step = t.step();
    snap.finished = state.finished;
    sync::FrameSnapshot frames = t.Frames();
    for (int i = 0; i < frames.depth; ++i) snap.frames.emplace_back(frames.names[i]);
    for (const sync::HeldLock& h : t.held()) snap.held.push_back(LockRef::FromHeld(h));
    if (const sync::Waitable* what = t.waiting_on(); what != nullptr && !state.finished) {
      SnapshotWait(t, *what, snap);
    }
  }
  return snaps;
}

Finding BuildDeadlockFinding(std::span<const TaskState> tasks, bool watchdog) {
  Finding f;
  f.kind = watchdog ? FindingKind::kWatchdogHang : FindingKind::kDeadlock;
  f.tasks = SnapshotTasks(tasks);
  std::vector<int> cycle = ShortestCycle(f.tasks);
  if (cycle.empty()) {
    const TaskSnapshot* first = nullptr;
    for (const TaskSnapshot& s : f.tasks) {
      if (Blocked(s) && (first == nullptr || WaitKey(s) < WaitKey(*first))) first = &s;
    }
    f.title = FindingTitle(f.kind, first ? InnermostFrame(*first) : "");
    f.headline = HangHeadline(f.tasks);
  } else {
    RotateCanonically(f.tasks, cycle);
    const int n = static_cast<int>(cycle.size());
    for (int k = 0; k < n; ++k) {
      const TaskSnapshot& self = f.tasks[cycle[k]];
      const TaskSnapshot& prev = f.tasks[cycle[(k + n - 1) % n]];
      Dependency& d = f.cycle.emplace_back();
      d.from = HeldMatching(self, *prev.waiting_for);
      d.to = *self.waiting_for;
      d.task = self.task;
      d.task_name = self.name;
      d.step = self.step;
    }
    f.title = FindingTitle(f.kind, InnermostFrame(f.tasks[cycle[0]]));
    f.headline = CycleHeadline(f.tasks, cycle);
  }
  if (watchdog) f.headline = "no progress within the watchdog limit; " + f.headline;
  return f;
}

Finding BuildStepBudgetFinding(std::span<const TaskState> tasks, uint64_t steps) {
  Finding f;
  f.kind = FindingKind::kStepBudget;
  f.tasks = SnapshotTasks(tasks);
  // Prefer a runnable task's frame: in a livelock the tasks that keep running are the story.
  std::string frame;
  for (bool want_runnable : {true, false}) {
    for (const TaskSnapshot& s : f.tasks) {
      if (s.finished || s.frames.empty() || Blocked(s) == want_runnable) continue;
      if (frame.empty() || s.frames.front() < frame) frame = s.frames.front();
    }
    if (!frame.empty()) break;
  }
  f.title = FindingTitle(f.kind, frame);
  f.headline = StepBudgetHeadline(f.tasks, steps);
  return f;
}

}  // namespace hvfuzz::check
