// SPDX-License-Identifier: Apache-2.0
// Host mm events on a VMM's address space that call KVM's MMU notifier (mm/madvise.c,
// mm/migrate.c, mm/mprotect.c, mm/oom_kill.c, mm/vmscan.c; docs C.2, E.5): each takes the
// mm's locks its syscall or kernel thread would, then runs
// mmu_notifier_invalidate_range_start / the page-table change / _end (MmChangeRange).
#include <cerrno>

#include "model/host_memory.h"
#include "model/internal/op_handlers.h"
#include "model/kvm.h"
#include "model/kvm_global.h"
#include "model/mmu_notifier.h"
#include "model/sync/task.h"

namespace hvfuzz::model::internal {

// mmu.invalidate vm hva pages event: an mm event on [hva, hva+pages) of the VMM:
// event 0 madvise(MADV_DONTNEED) (mmap_lock read), 1 page migration (no mmap_lock),
// 2 mprotect (mmap_lock write), 3 OOM reaper (mmap_read_trylock; non-blockable range).
int OpMmuInvalidate(World& world, const OpArgs& a) {
  HV_KERNEL_FUNCTION("zap_page_range_single");
  VmFile file(world, a[0]);  // the VMM process owning the mm holds its VM open
  if (file.error() == -EBADF) return -EBADF;
  Kvm& kvm = *file.kvm();
  uint32_t hva = a[1] % kHvaPages;
  uint32_t pages = a[2] % (kMaxSlotPages + 1);
  if (pages == 0) return -EINVAL;
  auto event = static_cast<MmEvent>(a[3] % kNumMmEvents);
  switch (event) {
    case MmEvent::kZap:
      kvm.mm.mmap_lock.DownRead();
      MmChangeRange(world, kvm, hva, pages, event);
      kvm.mm.mmap_lock.UpRead();
      break;
    case MmEvent::kMigrate:
      MmChangeRange(world, kvm, hva, pages, event);
      break;
    case MmEvent::kProtect:
      kvm.mm.mmap_lock.DownWrite();
      MmChangeRange(world, kvm, hva, pages, event);
      kvm.mm.mmap_lock.UpWrite();
      break;
    case MmEvent::kOomReap:
      if (!kvm.mm.mmap_lock.DownReadTrylock()) return -EAGAIN;
      MmChangeRange(world, kvm, hva, pages, event);
      kvm.mm.mmap_lock.UpRead();
      break;
  }
  return 0;
}

// mmu.reclaim vm hva: direct reclaim (some allocation entered reclaim: fs_reclaim held)
// unmapping the page at `hva` (try_to_unmap -> the notifier).
int OpMmuReclaim(World& world, const OpArgs& a) {
  HV_KERNEL_FUNCTION("shrink_folio_list");
  VmFile file(world, a[0]);
  if (file.error() == -EBADF) return -EBADF;
  Kvm& kvm = *file.kvm();
  KvmGlobal& g = world.global();
  // fs_reclaim_acquire(GFP_KERNEL): the reclaim map, primed with the notifier map.
  g.fs_reclaim_map.Acquire();
  g.mmu_notifier_map.AcquireRelease();
  MmChangeRange(world, kvm, a[1] % kHvaPages, 1, MmEvent::kZap);
  g.fs_reclaim_map.Release();
  return 0;
}

// mmu.age vm hva pages: page aging (folio_referenced -> mmu_notifier_clear_flush_young).
int OpMmuAge(World& world, const OpArgs& a) {
  HV_KERNEL_FUNCTION("folio_referenced");
  VmFile file(world, a[0]);
  if (file.error() == -EBADF) return -EBADF;
  Kvm& kvm = *file.kvm();
  uint32_t hva = a[1] % kHvaPages;
  uint32_t pages = a[2] % (kMaxSlotPages + 1);
  if (pages == 0 || !kvm.mm.notifier_registered()) return 0;
  KvmMmuNotifierClearFlushYoung(world, kvm, hva, hva + pages);
  return 0;
}

}  // namespace hvfuzz::model::internal
