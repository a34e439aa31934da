// SPDX-License-Identifier: Apache-2.0
// LockClass: lockdep's notion of a lock class. Every lock instance belongs to one class, and
// dependencies, reports and signatures speak of classes ("&kvm->slots_lock"), never of
// instances, so that a finding generalizes over VMs, vCPUs and caches.
//
// Contract: a LockClass is created once (usually as a static or from model/lock_classes.def) and
// outlives every lock of its class. id() is dense (0, 1, 2, ...) in creation order within a
// process; names are what reports show and what signatures hash. Thread-safe construction.
#pragma once

#include <cstdint>
#include <string_view>

namespace hvfuzz::sync {

// The kind of primitive behind a class: it decides sleeping rules and reader semantics.
enum class LockKind : uint8_t {
  kMutex,          // sleeping, exclusive
  kRwSemaphore,    // sleeping; down_read is a non-recursive reader, a waiting writer blocks readers
  kSpinLock,       // spinning (atomic context), exclusive
  kRwLock,         // spinning queued rwlock; process-context readers queue behind a waiting writer
  kSrcu,           // srcu_struct: readers are recursive reads, synchronize_srcu a write acquire+release
  kPercpuRwSem,    // cpu_hotplug_lock: readers block while a writer is pending
  kLockdepMap,     // a pseudo-lock that only exists for the validator (fs_reclaim, notifier map)
};

std::string_view LockKindName(LockKind kind);
// True for the kinds whose holders are in atomic context (may not sleep).
bool IsSpinning(LockKind kind);

class LockClass {
 public:
  LockClass(std::string_view name, LockKind kind);
  LockClass(const LockClass&) = delete;
  LockClass& operator=(const LockClass&) = delete;

  std::string_view name() const { return name_; }
  LockKind kind() const { return kind_; }
  uint32_t id() const { return id_; }

  // Number of classes created so far in this process (ids are below it).
  static uint32_t Count();

 private:
  std::string_view name_;
  LockKind kind_;
  uint32_t id_;
};

}  // namespace hvfuzz::sync
