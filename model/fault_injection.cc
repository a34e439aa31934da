// SPDX-License-Identifier: Apache-2.0
#include "model/fault_injection.h"

#include "model/kvm_global.h"
#include "model/sync/task.h"
#include "model/sync/wait_event.h"

namespace hvfuzz::model {

bool FaultInjector::ShouldFail(FallibleStep step) {
  (void)step;
  const uint32_t n = steps_.fetch_add(1, std::memory_order_relaxed) + 1;
  bool fail = fail_nth_ != 0 && n == fail_nth_;
  // should_fail_ex(): current->fail_nth counts down; the step that reaches zero fails.
  if (sync::Task* task = sync::CurrentTaskOrNull(); task != nullptr && task->fail_nth() != 0) {
    const uint32_t left = task->fail_nth() - 1;
    task->set_fail_nth(left);
    fail |= left == 0;
  }
  return fail;
}

bool GfpKernelAlloc(World& world, FallibleStep step, sync::Site site) {
  // might_alloc(GFP_KERNEL): might_sleep, then fs_reclaim_acquire/release, which also
  // acquires and releases the MMU-notifier map (mm/page_alloc.c): every allocation records
  // "held locks -> fs_reclaim -> mmu_notifier_invalidate_range_start" (docs E.5).
  sync::MightSleep(site);
  KvmGlobal& g = world.global();
  g.fs_reclaim_map.Acquire(site);
  g.mmu_notifier_map.AcquireRelease(site);
  g.fs_reclaim_map.Release(site);
  return !world.faults().ShouldFail(step);
}

bool InjectFatalSignal(World& world) {
  return world.faults().ShouldFail(FallibleStep::kKillableWait);
}

}  // namespace hvfuzz::model
