// SPDX-License-Identifier: Apache-2.0
#include "model/bug_switches.h"

namespace hvfuzz::model {
namespace {

constexpr BugSwitchInfo kTable[] = {
    {BugSwitch::kXenEvtchnKvmLock, "xen-evtchn-kvm-lock", "D.1",
     "2fd6df2f2b47 KVM: x86/xen: intercept EVTCHNOP_send from guests (v6.0)",
     "310bc39546a4 KVM: x86/xen: Avoid deadlock by adding kvm->arch.xen.xen_lock leaf node lock "
     "(v6.2-rc4)",
     "kvm_xen_set_evtchn serializes its slow path with kvm->lock, reachable from EVTCHNOP_send "
     "inside vcpu->mutex and kvm->srcu",
     "kvm_xen_set_evtchn (model/xen_evtchn.cc)"},
    {BugSwitch::kKvmLockSlotsLock, "kvm-lock-slots-lock", "D.2",
     "b8e8c8303ff2 kvm: mmu: ITLB_MULTIHIT mitigation (v5.4-rc8; the vm_list walk in "
     "set_nx_huge_pages)",
     "RFC 2025-01-24 \"KVM: x86: fix usage of kvm_lock in set_nx_huge_pages()\" (not merged; "
     "upstream still has the bug shape)",
     "set_nx_huge_pages holds kvm_lock across slots_lock + kvm_mmu_zap_all_fast for each VM",
     "set_nx_huge_pages (model/nx_huge_pages.cc)"},
    {BugSwitch::kMnSlotsRwsem, "mn-slots-rwsem", "D.3",
     "kvm/queue Apr 2021: \"KVM: Don't take mmu_lock for range invalidation unless necessary\" "
     "v2 (never released)",
     "52ac8b358b0c KVM: Block memslot updates across range_start() and range_end() (v5.14)",
     "an rw_semaphore held for read from invalidate_range_start to _end and for write around "
     "the memslots swap, instead of mn_invalidate_lock + mn_active_invalidate_count + rcuwait",
     "kvm_mmu_notifier_invalidate_range_start/_end, kvm_swap_active_memslots"},
    {BugSwitch::kGpcRefreshRace, "gpc-refresh-race", "D.4a",
     "982ed0de4753 KVM: Reinstate gfn_to_pfn_cache with invalidation support (v5.17)",
     "93984f19e7bc KVM: Fully serialize gfn=>pfn cache refresh via mutex (v5.18)",
     "kvm_gpc_refresh does not take gpc->refresh_lock, so two refreshers interleave while "
     "gpc->lock is dropped",
     "kvm_gpc_refresh (model/gfn_to_pfn_cache.cc)"},
    {BugSwitch::kGpcDeactivateRace, "gpc-deactivate-race", "D.4b",
     "pre-2024 kvm_gpc_deactivate without refresh_lock (pfncache rework of 2022-2023)",
     "6addfcf27139 KVM: pfncache: simplify locking and make more self-contained (v6.9)",
     "kvm_gpc_deactivate does not take gpc->refresh_lock, so a refresh that dropped gpc->lock "
     "can reinstall the khva deactivate just unmapped",
     "kvm_gpc_deactivate (model/gfn_to_pfn_cache.cc)"},
    {BugSwitch::kSlotsArchLockLeak, "slots-arch-lock-leak", "D.5a",
     "b10a038e84d1 KVM: mmu: Add slots_arch_lock for memslot arch fields (v5.14; v4 review)",
     "fixed in review before merge (Sean Christopherson, v4 2021-05-11)",
     "kvm_set_memslot returns from the invalid_slot allocation failure and from the "
     "CREATE/FLAGS_ONLY prepare failure without unlocking slots_arch_lock",
     "kvm_set_memslot (model/memslots_update.cc)"},
    {BugSwitch::kMemslotArchCopyOrder, "memslot-arch-copy-order", "D.5b",
     "b10a038e84d1 KVM: mmu: Add slots_arch_lock for memslot arch fields (v4 review: "
     "kvm_copy_memslots argument order)",
     "fixed in review before merge (copy direction (to, from))",
     "kvm_invalidate_memslot copies the stale old->arch over the active invalid slot's arch "
     "instead of the other way round, losing rmaps allocated while slots_arch_lock was dropped",
     "kvm_invalidate_memslot (model/memslots_swap.cc)"},
};
static_assert(std::size(kTable) == kNumBugSwitches);

}  // namespace

bool BugSwitches::Get(BugSwitch s) const {
  switch (s) {
    case BugSwitch::kXenEvtchnKvmLock: return xen_evtchn_kvm_lock;
    case BugSwitch::kKvmLockSlotsLock: return kvm_lock_slots_lock;
    case BugSwitch::kMnSlotsRwsem: return mn_slots_rwsem;
    case BugSwitch::kGpcRefreshRace: return gpc_refresh_race;
    case BugSwitch::kGpcDeactivateRace: return gpc_deactivate_race;
    case BugSwitch::kSlotsArchLockLeak: return slots_arch_lock_leak;
    case BugSwitch::kMemslotArchCopyOrder: return memslot_arch_copy_order;
  }
  return false;
}

void BugSwitches::Set(BugSwitch s, bool on) {
  switch (s) {
    case BugSwitch::kXenEvtchnKvmLock: xen_evtchn_kvm_lock = on; break;
    case BugSwitch::kKvmLockSlotsLock: kvm_lock_slots_lock = on; break;
    case BugSwitch::kMnSlotsRwsem: mn_slots_rwsem = on; break;
    case BugSwitch::kGpcRefreshRace: gpc_refresh_race = on; break;
    case BugSwitch::kGpcDeactivateRace: gpc_deactivate_race = on; break;
    case BugSwitch::kSlotsArchLockLeak: slots_arch_lock_leak = on; break;
    case BugSwitch::kMemslotArchCopyOrder: memslot_arch_copy_order = on; break;
  }
}

bool BugSwitches::Set(std::string_view name, bool on) {
  std::optional<BugSwitch> s = FromName(name);
  if (!s) return false;
  Set(*s, on);
  return true;
}

bool BugSwitches::any() const {
  for (const BugSwitchInfo& info : kTable) {
    if (Get(info.id)) return true;
  }
  return false;
}

std::optional<BugSwitch> BugSwitches::FromName(std::string_view name) {
  for (const BugSwitchInfo& info : kTable) {
    if (info.name == name) return info.id;
  }
  return std::nullopt;
}

std::span<const BugSwitchInfo> BugSwitchTable() { return kTable; }

}  // namespace hvfuzz::model
