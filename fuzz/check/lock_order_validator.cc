// SPDX-License-Identifier: Apache-2.0
// Lockdep's acquisition checks on a typed lock-class graph.
//
// Source: kernel/locking/lockdep.c (validate_chain, lookup_chain_cache_add, check_deadlock,
// check_prevs_add/check_prev_add, lock_sync) after Boqun Feng's recursive-read series (v5.10)
// and his lock_sync() for SRCU (v6.4); docs/kvm-locking.md section E. Code of our own.
//
// Sketch, per acquisition (OnAcquire, not trylock) or lock_sync (OnSync, an exclusive
// acquisition that is never held):
//  1. After the run's first finding, do nothing (lockdep turns itself off).
//  2. Chain cache: hash the held stack (class, subclass, exclusive/shared per entry) with the
//     acquired class, subclass, recursive-or-not and whether its nest_lock is held. A hit
//     means steps 3-4 passed before for exactly this chain, and the graph only grows: done.
//  3. check_deadlock: an entry of the same class+subclass is fine if both are reads and the
//     new one is recursive, or if the nest_lock is held; otherwise "possible recursive
//     locking" (for lock_sync: syncing what one holds waits for itself).
//  4. For every held entry, newest first, except the same-class ones allowed in step 3: insert
//     held -(E|S, R|N)-> acquired. A new typed dependency remembers where it was seen; if it
//     closes a strong cycle, the finding lists the cycle's dependencies, this one last.
//  5. Clean: remember the chain key.
#include "fuzz/check/lock_order_validator.h"

#include <cstring>
#include <utility>

#include "fuzz/check/internal/lock_order_findings.h"
#include "model/sync/lock_base.h"
#include "model/sync/task.h"

namespace hvfuzz::check {
namespace {

using sync::AcquireMode;
using sync::HeldLock;
using sync::Task;

uint64_t Mix(uint64_t hash, uint64_t word) {
  hash = (hash ^ word) * 0xff51afd7ed558ccdull;
  return hash ^ (hash >> 33);
}

// A graph node per lock class and subclass (lockdep gives each subclass a class of its own).
uint64_t NodeKey(const HeldLock& h) { return (uint64_t{h.lock_class().id()} << 8) | h.subclass; }

// Step 2. Everything ValidateChain's outcome depends on, and nothing else (sites, frames and
// instances do not change which dependencies exist).
uint64_t ChainKey(const sync::HeldLockStack& held, const HeldLock& acquiring, bool nest_lock_held) {
  uint64_t key = 0x6c6f636b64657021ull;
  for (const HeldLock& h : held) {
    key = Mix(key, (NodeKey(h) << 8) | (h.mode != AcquireMode::kExclusive ? 1 : 0));
  }
  key = Mix(key, (NodeKey(acquiring) << 8) | 4 | (nest_lock_held ? 2 : 0) |
                     (acquiring.mode == AcquireMode::kRecursiveRead ? 1 : 0));
  return key == internal::FlatU64Map<uint8_t>::kEmptyKey ? 0 : key;
}

bool SameClass(const HeldLock& a, const HeldLock& b) {
  return &a.lock_class() == &b.lock_class() && a.subclass == b.subclass;
}

}  // namespace

void LockOrderValidator::OnAcquire(Task& task, const HeldLock& acquiring) {
  if (finding_) {
    NameSleepingAcquisition(task, acquiring);
    return;
  }
  // A trylock never waits, so it cannot be part of a deadlock: no dependency on it (lockdep).
  if (acquiring.trylock || !options_.lockdep) return;
  Validate(task, acquiring);
}

void LockOrderValidator::OnSync(Task& task, const HeldLock& sync) {
  if (finding_) {
    NameSleepingAcquisition(task, sync);
    return;
  }
  if (!options_.lockdep) return;
  Validate(task, sync);  // an exclusive acquisition without nest_lock, never held
}

void LockOrderValidator::Validate(Task& task, const HeldLock& acquiring) {
  const bool nest_lock_held =
      acquiring.nest_lock != nullptr && task.held().Find(acquiring.nest_lock) != nullptr;
  const uint64_t key = ChainKey(task.held(), acquiring, nest_lock_held);
  if (chain_cache_.Contains(key)) return;
  if (ValidateChain(task, acquiring, nest_lock_held)) chain_cache_.Insert(key, 1);
}

bool LockOrderValidator::ValidateChain(Task& task, const HeldLock& acquiring, bool nest_lock_held) {
  const bool recursive = acquiring.mode == AcquireMode::kRecursiveRead;
  const sync::HeldLockStack& held = task.held();
  // Step 3.
  for (int i = held.depth() - 1; i >= 0; --i) {
    const HeldLock& h = held.at(i);
    if (!SameClass(h, acquiring)) continue;
    if (recursive && h.mode != AcquireMode::kExclusive) continue;  // read after read
    if (nest_lock_held) continue;
    Record(internal::RecursiveLockingFinding(task, acquiring, h));
    return false;
  }
  // Step 4.
  const LockNodeId to = NodeOf(acquiring);
  for (int i = held.depth() - 1; i >= 0; --i) {
    const HeldLock& h = held.at(i);
    if (SameClass(h, acquiring)) continue;  // allowed nesting (step 3) records nothing
    const DependencyType type =
        MakeDependencyType(/*from_shared=*/h.mode != AcquireMode::kExclusive, recursive);
    const auto payload = static_cast<int32_t>(dependencies_.size());
    auto result = graph_.InsertEdge(NodeOf(h), to, type, payload, &cycle_scratch_);
    if (!result.new_dependency) continue;
    if (dependencies_.empty()) dependencies_.reserve(64);  // a run's typical count, one allocation
    dependencies_.push_back(internal::RawDependencyOf(task, h, acquiring));
    if (!result.closes_cycle) continue;
    std::vector<Dependency> cycle;
    cycle.reserve(cycle_scratch_.size() + 1);
    for (const DependencyEdge& e : cycle_scratch_) {
      cycle.push_back(internal::Format(dependencies_[e.payload]));
    }
    cycle.push_back(internal::Format(dependencies_[payload]));
    Record(internal::LockOrderCycleFinding(task, acquiring, h, std::move(cycle)));
    return false;
  }
  return true;
}

std::vector<Dependency> LockOrderValidator::dependencies() const {
  std::vector<Dependency> out;
  out.reserve(dependencies_.size());
  for (const internal::RawDependency& raw : dependencies_) out.push_back(internal::Format(raw));
  return out;
}

LockNodeId LockOrderValidator::NodeOf(const HeldLock& held) {
  return graph_.NodeFor(NodeKey(held));
}

void LockOrderValidator::OnMightSleep(Task& task, sync::Site site) {
  if (finding_ || !options_.lockdep || !task.InAtomic()) return;
  Record(internal::SleepInAtomicFinding(task, site, nullptr));
  sleep_task_ = &task;
  sleep_site_ = site;
}

void LockOrderValidator::NameSleepingAcquisition(const Task& task, const HeldLock& acquiring) {
  // Primitives announce might_sleep and then, with nothing in between, the acquisition that
  // sleeps, at the same site (LockBase::AnnounceAcquire, Srcu::Synchronize).
  const bool follows = sleep_task_ == &task && acquiring.site.line == sleep_site_.line &&
                       std::strcmp(acquiring.site.file, sleep_site_.file) == 0;
  if (follows) finding_ = internal::SleepInAtomicFinding(task, sleep_site_, &acquiring);
  sleep_task_ = nullptr;
}

void LockOrderValidator::OnReturnToUser(Task& task, std::string_view operation) {
  if (finding_ || !options_.leak_at_return || task.held().empty()) return;
  Record(internal::LockHeldAtReturnFinding(task, operation));
}

void LockOrderValidator::OnBadUnlock(Task& task, const sync::LockBase& lock, sync::Site site) {
  if (finding_ || !options_.lockdep) return;
  Record(internal::BadUnlockFinding(task, lock, site));
}

void LockOrderValidator::OnAssertHeld(Task& task, const sync::LockBase& lock, bool held,
                                      sync::Site site) {
  if (finding_ || held || !options_.lockdep) return;
  Record(internal::LockNotHeldFinding(task, lock, site));
}

void LockOrderValidator::OnInvariantViolation(Task& task, std::string_view invariant,
                                              std::string_view detail, sync::Site site) {
  if (finding_) return;
  Record(internal::InvariantViolationFinding(task, invariant, detail, site));
}

void LockOrderValidator::Record(Finding finding) {
  finding_ = std::move(finding);
  // After recording: the callback may stop the scheduler, which unwinds tasks silently.
  if (on_finding_) on_finding_();
}

void LockOrderValidator::Reset() {
  graph_ = LockDependencyGraph();
  dependencies_.clear();
  chain_cache_.Clear();
  cycle_scratch_.clear();
  ResetRun();
}

void LockOrderValidator::ResetRun() {
  finding_.reset();
  sleep_task_ = nullptr;
}

}  // namespace hvfuzz::check
