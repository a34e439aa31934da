// SPDX-License-Identifier: Apache-2.0
// The gpc slice's operations: a generic in-kernel user of gfn_to_pfn caches (like kvmclock or
// Xen's shinfo users) that holds nothing but kvm->srcu around activate/refresh/use, so the
// cache's own locking (refresh_lock, gpc->lock) is exercised without callers' locks (docs D.4b).
#include <cerrno>

#include "model/gfn_to_pfn_cache.h"
#include "model/internal/op_handlers.h"
#include "model/kvm.h"
#include "model/sync/task.h"

namespace hvfuzz::model::internal {
namespace {

GfnToPfnCache* Gpc(World& world, Kvm& kvm, uint32_t i) {
  return i < world.config().gpcs ? &kvm.gpcs[i] : nullptr;
}

// The VM file and cache named by args 0 and 1; runs `use(gpc)` inside kvm->srcu, as the
// in-kernel users do (the memslot lookup of a refresh needs it).
template <class Use>
int WithGpcInSrcu(World& world, const OpArgs& a, Use use) {
  VmFile file(world, a[0]);
  if (file.error()) return file.error();
  Kvm& kvm = *file.kvm();
  GfnToPfnCache* gpc = Gpc(world, kvm, a[1]);
  if (gpc == nullptr) return -EINVAL;
  int idx = kvm.srcu.ReadLock();
  int r = use(*gpc);
  kvm.srcu.ReadUnlock(idx);
  return r;
}

}  // namespace

// gpc.activate vm gpc gfn: kvm_gpc_activate(gpc, gfn << PAGE_SHIFT, PAGE_SIZE).
int OpGpcActivate(World& world, const OpArgs& a) {
  return WithGpcInSrcu(world, a, [&](GfnToPfnCache& gpc) {
    return GpcActivate(world, gpc, a[2] % kGfnLimit);
  });
}

// gpc.refresh vm gpc: kvm_gpc_refresh(gpc, PAGE_SIZE).
int OpGpcRefresh(World& world, const OpArgs& a) {
  return WithGpcInSrcu(world, a, [&](GfnToPfnCache& gpc) { return GpcRefresh(world, gpc); });
}

// gpc.use vm gpc: the consumer loop (read_lock_irqsave, kvm_gpc_check, refresh, dereference).
int OpGpcUse(World& world, const OpArgs& a) {
  HV_KERNEL_FUNCTION("kvm_gpc_check");
  return WithGpcInSrcu(world, a, [&](GfnToPfnCache& gpc) {
    return GpcReadAndUse(world, gpc, /*atomic=*/false, "gpc.use");
  });
}

// gpc.deactivate vm gpc: kvm_gpc_deactivate(gpc).
int OpGpcDeactivate(World& world, const OpArgs& a) {
  VmFile file(world, a[0]);
  if (file.error()) return file.error();
  GfnToPfnCache* gpc = Gpc(world, *file.kvm(), a[1]);
  if (gpc == nullptr) return -EINVAL;
  GpcDeactivate(world, *gpc);
  return 0;
}

}  // namespace hvfuzz::model::internal
