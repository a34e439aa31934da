// SPDX-License-Identifier: Apache-2.0
// GfnToPfnCache: virt/kvm/pfncache.c. A cache of gpa -> uhva -> pfn -> khva that in-kernel
// users (Xen shared_info/vcpu_info/runstate, kvmclock) dereference under gpc->lock held for
// read, invalidated by the MMU notifier (gfn_to_pfn_cache_invalidate_start) and refreshed by
// the slow path under gpc->refresh_lock, which must drop gpc->lock to sleep.
//
// The cache does not rely on its callers' locks (the gpc slice is fuzzed standalone, doc
// D.4b): activate/refresh/deactivate serialize on refresh_lock themselves (6addfcf27139).
// Invariants checked at use (GpcUseKhva): a cache that passes kvm_gpc_check maps a live khva of
// the pfn its uhva translates to right now.
//
// Contract: callers of Activate/Refresh/Check hold kvm->srcu for read (kvm_memslots()).
// No allocation.
#pragma once

#include <cstdint>
#include <string>

#include "model/sync/annotations.h"
#include "model/sync/mutex.h"
#include "model/sync/rwlock.h"

namespace hvfuzz::model {

class Kvm;
class World;
struct Memslot;

class GfnToPfnCache {
 public:
  GfnToPfnCache(Kvm& kvm, const std::string& label);

  Kvm& kvm() const { return *kvm_; }

  sync::RwLock lock;            // &gpc->lock
  sync::Mutex refresh_lock;     // &gpc->refresh_lock

  // Fields (struct gfn_to_pfn_cache); all written under `lock` held for write.
  uint64_t generation HV_GUARDED_BY(lock) = 0;
  uint32_t gpa HV_GUARDED_BY(lock) = ~0u;  // a gfn in the model (INVALID_GPA = ~0)
  uint32_t uhva HV_GUARDED_BY(lock) = ~0u;
  const Memslot* memslot HV_GUARDED_BY(lock) = nullptr;
  uint32_t pfn HV_GUARDED_BY(lock) = 0;
  uint32_t khva HV_GUARDED_BY(lock) = 0;
  bool active HV_GUARDED_BY(lock) = false;
  bool valid HV_GUARDED_BY(lock) = false;


  // Initial state (kvm_gpc_init); no locks, for VM creation.
  void Init();

 private:
  Kvm* kvm_;
};

// READ_ONCE(gpc->active): the unlocked peek callers use to skip inactive caches.
bool GpcActiveHint(const GfnToPfnCache& gpc);
// kvm_gpc_activate(gpc, gpa, len). 0, -EINVAL, -EFAULT, -EIO (KVM_BUG_ON), -ENOMEM.
int GpcActivate(World& world, GfnToPfnCache& gpc, uint32_t gfn);
// kvm_gpc_refresh(gpc, len). Sleeps.
int GpcRefresh(World& world, GfnToPfnCache& gpc);
// kvm_gpc_check(gpc, len): caller holds gpc->lock for read (and kvm->srcu).
bool GpcCheck(GfnToPfnCache& gpc) HV_REQUIRES_SHARED(gpc.lock);
// kvm_gpc_deactivate(gpc).
void GpcDeactivate(World& world, GfnToPfnCache& gpc);
// A consumer dereferences gpc->khva after a successful check (the invariant checks).
void GpcUseKhva(World& world, GfnToPfnCache& gpc, const char* user) HV_REQUIRES_SHARED(gpc.lock);
// The consumer pattern of C.5 (read_lock_irqsave, check, refresh loop, use). `atomic`: give
// up with -EWOULDBLOCK instead of refreshing. Caller holds kvm->srcu for read.
int GpcReadAndUse(World& world, GfnToPfnCache& gpc, bool atomic, const char* user);

// gfn_to_pfn_cache_invalidate_start(kvm, start, end): MMU-notifier hook.
void GpcInvalidateStart(Kvm& kvm, uint32_t hva_start, uint32_t hva_end);

}  // namespace hvfuzz::model
