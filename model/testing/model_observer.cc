// SPDX-License-Identifier: Apache-2.0
#include "model/testing/model_observer.h"

#include <sstream>

#include "model/sync/lock_base.h"
#include "model/sync/task.h"

namespace hvfuzz::model::testing {
namespace {

bool ListContains(std::string_view list, std::string_view id) {
  size_t pos = 0;
  while (pos < list.size()) {
    size_t end = list.find(' ', pos);
    if (end == std::string_view::npos) end = list.size();
    std::string_view token = list.substr(pos, end - pos);
    if (token == id) return true;
    pos = end + 1;
  }
  return false;
}

}  // namespace

std::string Edge::ToString() const {
  std::string s(outer->name());
  s += " -> ";
  s += inner->name();
  if (sync) s += " (sync)";
  return s;
}

void ModelObserver::RecordEdges(sync::Task& task, const sync::HeldLock& inner, bool is_sync) {
  const sync::HeldLockStack& held = task.held();
  const LockClassInfo* inner_info = LockClassInfoFor(inner.lock_class());
  for (const sync::HeldLock& h : held) {
    const LockClassInfo* outer_info = LockClassInfoFor(h.lock_class());
    if (inner_info && outer_info && ListContains(inner_info->never_inside, outer_info->id)) {
      problems.push_back("never-inside:" + std::string(h.lock_class().name()) + " -> " +
                         std::string(inner.lock_class().name()));
    }
  }
  // lockdep's check_prevs_add: the nearest held lock, and past it while it is a trylock.
  for (int i = held.depth() - 1; i >= 0; --i) {
    const sync::HeldLock& h = held.at(i);
    edges.insert(Edge{&h.lock_class(), &inner.lock_class(), is_sync});
    if (!h.trylock) break;
  }
}

void ModelObserver::OnAcquire(sync::Task& task, const sync::HeldLock& acquiring) {
  if (acquiring.trylock) return;
  RecordEdges(task, acquiring, /*sync=*/false);
}

void ModelObserver::OnSync(sync::Task& task, const sync::HeldLock& sync) {
  RecordEdges(task, sync, /*sync=*/true);
}

void ModelObserver::OnBadUnlock(sync::Task&, const sync::LockBase& lock, sync::Site) {
  problems.push_back("bad-unlock:" + std::string(lock.ClassName()));
}

void ModelObserver::OnMightSleep(sync::Task& task, sync::Site site) {
  if (task.InAtomic()) {
    problems.push_back("sleep-in-atomic:" + std::string(site.file) + ":" +
                       std::to_string(site.line));
  }
}

void ModelObserver::OnAssertHeld(sync::Task&, const sync::LockBase& lock, bool held, sync::Site) {
  if (!held) problems.push_back("lock-not-held:" + std::string(lock.ClassName()));
}

void ModelObserver::OnReturnToUser(sync::Task& task, std::string_view operation) {
  for (const sync::HeldLock& h : task.held()) {
    problems.push_back("held-at-return:" + std::string(operation) + ":" +
                       std::string(h.lock_class().name()));
  }
  if (task.InAtomic()) problems.push_back("atomic-at-return:" + std::string(operation));
}

void ModelObserver::OnInvariantViolation(sync::Task&, std::string_view invariant,
                                         std::string_view, sync::Site) {
  problems.push_back("invariant:" + std::string(invariant));
}

bool ModelObserver::HasProblem(std::string_view prefix) const {
  for (const std::string& p : problems) {
    if (p.compare(0, prefix.size(), prefix) == 0) return true;
  }
  return false;
}

std::string ModelObserver::ProblemsText() const {
  std::ostringstream os;
  for (const std::string& p : problems) os << p << "\n";
  return os.str();
}

}  // namespace hvfuzz::model::testing
