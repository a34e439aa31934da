// SPDX-License-Identifier: Apache-2.0
#include "model/sync/lock_class.h"

#include <atomic>

namespace hvfuzz::sync {
namespace {
std::atomic<uint32_t> g_next_class_id{0};
}  // namespace

std::string_view LockKindName(LockKind kind) {
  switch (kind) {
    case LockKind::kMutex: return "mutex";
    case LockKind::kRwSemaphore: return "rw_semaphore";
    case LockKind::kSpinLock: return "spinlock";
    case LockKind::kRwLock: return "rwlock";
    case LockKind::kSrcu: return "srcu";
    case LockKind::kPercpuRwSem: return "percpu_rw_semaphore";
    case LockKind::kLockdepMap: return "lockdep_map";
  }
  return "?";
}

bool IsSpinning(LockKind kind) {
  return kind == LockKind::kSpinLock || kind == LockKind::kRwLock;
}

LockClass::LockClass(std::string_view name, LockKind kind)
    : name_(name), kind_(kind), id_(g_next_class_id.fetch_add(1, std::memory_order_relaxed)) {}

uint32_t LockClass::Count() { return g_next_class_id.load(std::memory_order_relaxed); }

}  // namespace hvfuzz::sync
