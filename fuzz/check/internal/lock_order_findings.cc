// SPDX-License-Identifier: Apache-2.0
#include "fuzz/check/internal/lock_order_findings.h"

#include <string>
#include <utility>

#include "fuzz/check/wait_for_graph.h"
#include "model/sync/lock_class.h"

namespace hvfuzz::check::internal {
namespace {

using sync::AcquireMode;
using sync::HeldLock;
using sync::Site;
using sync::Task;

std::vector<std::string> FrameNames(const sync::FrameSnapshot& frames) {
  std::vector<std::string> names;
  for (int i = 0; i < frames.depth; ++i) {
    if (frames.names[i] != nullptr) names.emplace_back(frames.names[i]);
  }
  return names;
}

// What a title names: the innermost upstream function, else the model site.
std::string Function(const sync::FrameSnapshot& frames, Site site) {
  if (frames.depth > 0 && frames.names[0] != nullptr) return frames.names[0];
  return FormatSite(site);
}

std::string Tid(const Task& task) { return "t" + std::to_string(task.id()); }

// "&kvm->srcu (read)": a class as a headline names it, with how it is held.
std::string ClassAndMode(const HeldLock& h) {
  std::string s(h.lock_class().name());
  return h.mode == AcquireMode::kExclusive ? s : s + " (read)";
}

// "&kvm->lock (vm1) (read)": the same for one instance.
std::string InstanceAndMode(const HeldLock& h) {
  std::string s = h.lock->Describe();
  return h.mode == AcquireMode::kExclusive ? s : s + " (read)";
}

bool IsSync(const HeldLock& h) {
  return h.lock_class().kind() == sync::LockKind::kSrcu && h.mode == AcquireMode::kExclusive;
}

// The parts every finding of one task has: kind, title, task, where, the task's snapshot.
Finding Start(FindingKind kind, const Task& task, const std::string& function, Site site,
              const sync::FrameSnapshot& frames) {
  Finding f;
  f.kind = kind;
  f.title = FindingTitle(kind, function);
  f.task = task.id();
  f.task_name = task.name();
  f.site = FormatSite(site);
  f.frames = FrameNames(frames);
  const TaskState state{&task, false};
  f.tasks = SnapshotTasks({&state, 1});
  return f;
}

Finding StartAt(FindingKind kind, const Task& task, const HeldLock& h) {
  return Start(kind, task, Function(h.frames, h.site), h.site, h.frames);
}

Finding StartHere(FindingKind kind, const Task& task, Site site) {
  const sync::FrameSnapshot frames = task.Frames();
  return Start(kind, task, Function(frames, site), site, frames);
}

// A lock the task names without holding it (an unlock, an assertion), as the report shows it.
LockRef RefOfLock(const Task& task, const sync::LockBase& lock, Site site) {
  LockRef r;
  r.lock_class = std::string(lock.ClassName());
  r.instance = lock.label();
  r.kind = lock.lock_class().kind();
  r.site = FormatSite(site);
  r.frames = FrameNames(task.Frames());
  return r;
}

}  // namespace

Dependency DependencyOf(const Task& task, const HeldLock& from, const HeldLock& to) {
  return Format(RawDependencyOf(task, from, to));
}

namespace {

RawLockRef RawRefOf(const HeldLock& held) {
  RawLockRef ref;
  if (held.lock != nullptr) {
    ref.lock_class = &held.lock->lock_class();
    ref.instance = held.lock->label();
  }
  ref.subclass = held.subclass;
  ref.mode = held.mode;
  ref.site = held.site;
  ref.frames = held.frames;
  return ref;
}

// LockRef::FromHeld on the copied fields.
LockRef Format(const RawLockRef& raw) {
  LockRef ref;
  if (raw.lock_class != nullptr) {
    ref.lock_class = std::string(raw.lock_class->name());
    if (raw.subclass != 0) ref.lock_class += "/" + std::to_string(raw.subclass);
    ref.instance = raw.instance;
    ref.kind = raw.lock_class->kind();
  }
  ref.mode = raw.mode;
  ref.site = FormatSite(raw.site);
  for (int i = 0; i < raw.frames.depth; ++i) {
    if (raw.frames.names[i] != nullptr) ref.frames.emplace_back(raw.frames.names[i]);
  }
  return ref;
}

}  // namespace

RawDependency RawDependencyOf(const Task& task, const HeldLock& from, const HeldLock& to) {
  RawDependency d;
  d.from = RawRefOf(from);
  d.to = RawRefOf(to);
  d.task = task.id();
  d.task_name = task.name();
  d.step = task.step();
  return d;
}

Dependency Format(const RawDependency& raw) {
  Dependency d;
  d.from = Format(raw.from);
  d.to = Format(raw.to);
  d.task = raw.task;
  d.task_name = raw.task_name;
  d.step = raw.step;
  return d;
}

Finding LockOrderCycleFinding(const Task& task, const HeldLock& acquiring, const HeldLock& holding,
                              std::vector<Dependency> cycle) {
  Finding f = StartAt(FindingKind::kLockOrderCycle, task, acquiring);
  f.acquiring = LockRef::FromHeld(acquiring);
  f.headline = Tid(task) +
               (IsSync(acquiring) ? " calls " + f.acquiring->Action()
                                  : " takes " + ClassAndMode(acquiring)) +
               " inside " + ClassAndMode(holding) + ", closing a cycle of " +
               std::to_string(cycle.size()) + " lock classes";
  f.cycle = std::move(cycle);
  return f;
}

Finding RecursiveLockingFinding(const Task& task, const HeldLock& acquiring, const HeldLock& held) {
  Finding f = StartAt(FindingKind::kRecursiveLocking, task, acquiring);
  f.acquiring = LockRef::FromHeld(acquiring);
  f.headline = IsSync(acquiring)
                   ? Tid(task) + " calls " + f.acquiring->Action() + " while holding " +
                         InstanceAndMode(held) + ": it would wait for itself"
                   : Tid(task) + " takes " + InstanceAndMode(acquiring) + " while holding " +
                         InstanceAndMode(held) + ", with no subclass";
  return f;
}

Finding SleepInAtomicFinding(const Task& task, Site site, const HeldLock* sleeping) {
  Finding f = StartHere(FindingKind::kSleepInAtomic, task, site);
  std::string spinning;
  for (const HeldLock& h : task.held()) {
    if (!sync::IsSpinning(h.lock_class().kind())) continue;
    spinning += (spinning.empty() ? "" : ", ") + ClassAndMode(h);
  }
  std::string context = !spinning.empty()     ? "with " + spinning + " held"
                        : task.in_interrupt() ? std::string("in interrupt context")
                                              : std::string("with interrupts or preemption off");
  if (sleeping != nullptr) {
    f.acquiring = LockRef::FromHeld(*sleeping);
    f.headline = Tid(task) + " may sleep in " + f.acquiring->Action() + " " + context;
  } else {
    f.headline = Tid(task) + " may sleep at " + f.site + " " + context;
  }
  return f;
}

Finding LockHeldAtReturnFinding(const Task& task, std::string_view operation) {
  // The most recent acquisition names the function: the innermost of the leaks.
  const HeldLock& newest = task.held().at(task.held().depth() - 1);
  const sync::FrameSnapshot frames = task.Frames();
  Finding f = Start(FindingKind::kLockHeldAtReturn, task, Function(newest.frames, newest.site),
                    Site{}, frames);
  std::string held;
  for (const HeldLock& h : task.held()) held += (held.empty() ? "" : ", ") + InstanceAndMode(h);
  f.headline = Tid(task) + " returns to user space from " + std::string(operation) +
               " still holding " + held;
  return f;
}

Finding BadUnlockFinding(const Task& task, const sync::LockBase& lock, Site site) {
  Finding f = StartHere(FindingKind::kBadUnlock, task, site);
  f.acquiring = RefOfLock(task, lock, site);
  f.headline = Tid(task) + " releases " + lock.Describe() + ", which it does not hold";
  return f;
}

Finding LockNotHeldFinding(const Task& task, const sync::LockBase& lock, Site site) {
  Finding f = StartHere(FindingKind::kLockNotHeld, task, site);
  f.acquiring = RefOfLock(task, lock, site);
  f.headline = Tid(task) + " asserts that it holds " + lock.Describe() + ", and does not";
  return f;
}

Finding InvariantViolationFinding(const Task& task, std::string_view invariant,
                                  std::string_view detail, Site site) {
  Finding f = StartHere(FindingKind::kInvariantViolation, task, site);
  f.invariant = std::string(invariant);
  f.headline = detail.empty() ? "invariant " + f.invariant + " does not hold" : std::string(detail);
  return f;
}

}  // namespace hvfuzz::check::internal
