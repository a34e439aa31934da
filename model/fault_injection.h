// SPDX-License-Identifier: Apache-2.0
// Fault injection: the N-th fallible step of a run fails, so that error paths run and the
// detectors can check that they release exactly what they took (docs/kvm-locking.md D.5, E.6).
// Fallible steps are GFP_KERNEL allocations, arch prepare hooks (kvm_arch_prepare_memory_region)
// and killable waits (mutex_lock_killable: the injected fatal signal only interrupts a wait,
// as in the kernel; an uncontended lock is taken regardless).
//
// Two ways to choose the step, either or both per run:
//  - run-wide (FaultInjection::fail_nth, the program header): the N-th fallible step counted
//    across all tasks of the World fails;
//  - per call (OpCall::fail_nth, after syzkaller's fault injection through the task's
//    fail-nth file): the N-th fallible step the calling task takes *inside one operation*
//    fails. The count does not move when other operations or threads allocate, so a fuzzer can
//    keep the fault on one operation's error path while it varies the rest of the program.
//
// Contract: FaultInjection is plain data from the program header. FaultInjector counts steps
// across all tasks of one World; the count is deterministic under the controlled scheduler.
// The per-call count lives in the calling sync::Task (only that task touches it). Safe from any
// model task (atomic counter). O(1), no allocation.
#pragma once

#include <atomic>
#include <cstdint>

#include "model/sync/site.h"

namespace hvfuzz::model {

struct FaultInjection {
  uint32_t fail_nth = 0;  // 0 = off; the N-th fallible step (allocation, arch prepare, killable
                          // wait) of the run fails
};

enum class FallibleStep : uint8_t {
  kAllocation,    // kmalloc/kzalloc/... with GFP_KERNEL(_ACCOUNT): -ENOMEM
  kArchPrepare,   // kvm_arch_prepare_memory_region and similar arch hooks: -ENOMEM
  kKillableWait,  // mutex_lock_killable: -EINTR when it has to wait
};

class FaultInjector {
 public:
  explicit FaultInjector(const FaultInjection& fault) : fail_nth_(fault.fail_nth) {}

  // Counts one fallible step (run-wide, and on the calling task's per-call countdown); true
  // when it is the one that must fail.
  bool ShouldFail(FallibleStep step);
  uint32_t steps() const { return steps_.load(std::memory_order_relaxed); }
  bool fired() const { return fail_nth_ != 0 && steps() >= fail_nth_; }

 private:
  uint32_t fail_nth_;
  std::atomic<uint32_t> steps_{0};
};

class World;

// A GFP_KERNEL(_ACCOUNT) allocation: might_alloc() -> might_sleep, fs_reclaim_acquire/release
// (which also acquires+releases the MMU-notifier map, docs/kvm-locking.md E.5), then a
// fallible step of kind `step`. Returns false for an injected -ENOMEM.
bool GfpKernelAlloc(World& world, FallibleStep step = FallibleStep::kAllocation,
                    sync::Site site = sync::Site::Here());

// mutex_lock_killable() support: true when the next killable wait of the calling task must
// see a fatal signal (counts one fallible step).
bool InjectFatalSignal(World& world);

}  // namespace hvfuzz::model
