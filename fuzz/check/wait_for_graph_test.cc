// SPDX-License-Identifier: Apache-2.0
// Wait-for graph over real primitives. Tasks run one at a time on the test thread; a task
// "blocks" either for real (the primitive calls SyncRuntime::Wait, where the test's runtime
// runs the next scripted step, e.g. another task's blocking call or the snapshot) or by Park(),
// which leaves the same wait state a backend would.
#include "fuzz/check/wait_for_graph.h"

#include <deque>
#include <functional>
#include <memory>
#include <optional>

#include "fuzz/check/interleaving_recorder.h"
#include "fuzz/check/report.h"
#include "gtest/gtest.h"
#include "model/sync/mutex.h"
#include "model/sync/rw_semaphore.h"
#include "model/sync/srcu.h"
#include "model/sync/wait_event.h"

namespace hvfuzz::check {
namespace {

using sync::LockKind;

const sync::LockClass kLockA{"&a->lock", LockKind::kMutex};
const sync::LockClass kLockB{"&b->lock", LockKind::kMutex};
const sync::LockClass kLockC{"&c->lock", LockKind::kMutex};
const sync::LockClass kKvmLock{"&kvm->lock", LockKind::kMutex};
const sync::LockClass kKvmSrcu{"&kvm->srcu", LockKind::kSrcu};
const sync::LockClass kSlotsRwsem{"&kvm->mmu_notifier_slots_lock", LockKind::kRwSemaphore};
const sync::LockClass kDone{"&vcpu->done", LockKind::kLockdepMap};
const sync::LockClass kVcpuMutex{"&vcpu->mutex", LockKind::kMutex};

// One task at a time on this thread. Wait() runs the next scripted step (if any), then gives
// up with TaskKilled, as a backend unwinding a deadlocked run would.
class ScriptedRuntime final : public sync::SyncRuntime {
 public:
  std::deque<std::function<void()>> on_wait;

  void SchedulingPoint(sync::Task&, sync::SchedulingPoint) override {}
  void LockState(sync::WaitChannel&) override {}
  void UnlockState(sync::WaitChannel&) override {}
  void Wait(sync::Task&, sync::WaitChannel&) override {
    if (!on_wait.empty()) {
      std::function<void()> next = std::move(on_wait.front());
      on_wait.pop_front();
      next();
    }
    throw sync::TaskKilled{};
  }
  void Wake(sync::WaitChannel&) override {}
};

class WaitForGraphTest : public ::testing::Test {
 protected:
  ~WaitForGraphTest() override { sync::SetCurrentTask(nullptr); }

  sync::Task& AddTask(int id, std::string name) {
    tasks_.push_back(std::make_unique<sync::Task>(id, std::move(name), runtime_, observer_));
    return *tasks_.back();
  }
  // Runs `body` as `t`, restoring the previous current task afterwards.
  void As(sync::Task& t, const std::function<void()>& body) {
    sync::Task* previous = sync::CurrentTaskOrNull();
    sync::SetCurrentTask(&t);
    body();
    sync::SetCurrentTask(previous);
  }
  // As(), for a body expected to block: the block ends in TaskKilled once the script ran.
  void AsBlocking(sync::Task& t, const std::function<void()>& body) {
    As(t, [&] { EXPECT_THROW(body(), sync::TaskKilled); });
  }
  // Leaves `t` parked on `what` inside `function`, as a backend leaves a blocked task.
  void Park(sync::Task& t, const sync::Waitable& what, const char* function, int line,
            uint64_t token = 0) {
    t.PushFrame(function);
    t.BeginWait(&what, token, sync::Site{"model/test.cc", line});
  }
  std::vector<TaskState> States(std::vector<int> finished = {}) const {
    std::vector<TaskState> states;
    for (const auto& t : tasks_) {
      bool done = std::find(finished.begin(), finished.end(), t->id()) != finished.end();
      states.push_back({t.get(), done});
    }
    return states;
  }
  // Scripts the snapshot as the innermost wait's step.
  void SnapshotOnWait(std::optional<Finding>& out, std::vector<int> finished = {}) {
    runtime_.on_wait.push_back(
        [this, &out, finished] { out = BuildDeadlockFinding(States(finished)); });
  }

  ScriptedRuntime runtime_;
  sync::SyncObserver observer_;
  std::vector<std::unique_ptr<sync::Task>> tasks_;
};

TEST_F(WaitForGraphTest, TwoTaskCycleIsRotatedToTheSmallestWaitedClass) {
  sync::Task& t0 = AddTask(0, "vcpu0");
  sync::Task& t1 = AddTask(1, "vm-ioctl");
  sync::Mutex a(kLockA, "vm0");
  sync::Mutex b(kLockB, "vm0");
  As(t0, [&] { a.Lock(sync::Site{"model/a.cc", 10}); });
  As(t1, [&] { b.Lock(sync::Site{"model/b.cc", 20}); });
  Park(t0, b, "take_b", 11);
  Park(t1, a, "take_a", 21);
  t1.set_step(42);

  Finding f = BuildDeadlockFinding(States());
  EXPECT_EQ(f.kind, FindingKind::kDeadlock);
  EXPECT_EQ(f.task, -1);
  ASSERT_EQ(f.cycle.size(), 2u);
  // t1 waits for &a->lock, the smallest class: the cycle starts there.
  EXPECT_EQ(f.cycle[0].task, 1);
  EXPECT_EQ(f.cycle[0].task_name, "vm-ioctl");
  EXPECT_EQ(f.cycle[0].step, 42u);
  EXPECT_EQ(f.cycle[0].from.lock_class, "&b->lock");
  EXPECT_EQ(f.cycle[0].from.site, "model/b.cc:20");
  EXPECT_EQ(f.cycle[0].to.lock_class, "&a->lock");
  EXPECT_EQ(f.cycle[0].to.site, "model/test.cc:21");
  EXPECT_EQ(f.cycle[1].task, 0);
  EXPECT_EQ(f.cycle[1].from.lock_class, "&a->lock");
  EXPECT_EQ(f.cycle[1].to.lock_class, "&b->lock");
  EXPECT_EQ(f.title, "deadlock in take_a");
  EXPECT_EQ(
      f.headline,
      "t1 and t0 wait for each other: t1 in lock(&a->lock) on t0, t0 in lock(&b->lock) on t1");
  EXPECT_EQ(f.Signature(), "deadlock|&a->lock,&b->lock|");
  ASSERT_EQ(f.tasks.size(), 2u);
  EXPECT_EQ(f.tasks[0].blocked_by, std::vector<int>{1});
  EXPECT_EQ(f.tasks[1].blocked_by, std::vector<int>{0});
}

TEST_F(WaitForGraphTest, TitleAndSignatureDoNotDependOnTaskIds) {
  // The same deadlock as above with the roles' ids swapped.
  sync::Task& t0 = AddTask(0, "x");
  sync::Task& t7 = AddTask(7, "y");
  sync::Mutex a(kLockA, "vm1");
  sync::Mutex b(kLockB, "vm1");
  As(t7, [&] { a.Lock(); });
  As(t0, [&] { b.Lock(); });
  Park(t7, b, "take_b", 11);
  Park(t0, a, "take_a", 21);
  Finding f = BuildDeadlockFinding(States());
  EXPECT_EQ(f.title, "deadlock in take_a");
  EXPECT_EQ(f.Signature(), "deadlock|&a->lock,&b->lock|");
  EXPECT_EQ(f.cycle[0].task, 0);
}

TEST_F(WaitForGraphTest, ThreeTaskCycleIgnoresBystanders) {
  sync::Task& t0 = AddTask(0, "t0");
  sync::Task& t1 = AddTask(1, "t1");
  sync::Task& t2 = AddTask(2, "t2");
  sync::Task& t3 = AddTask(3, "t3");
  sync::Mutex a(kLockA), b(kLockB), c(kLockC);
  As(t0, [&] { a.Lock(); });
  As(t1, [&] { b.Lock(); });
  As(t2, [&] { c.Lock(); });
  Park(t0, b, "f0", 1);
  Park(t1, c, "f1", 2);
  Park(t2, a, "f2", 3);
  Park(t3, a, "f3", 4);  // waits for the cycle, is not on it
  Finding f = BuildDeadlockFinding(States());
  ASSERT_EQ(f.cycle.size(), 3u);
  EXPECT_EQ(f.cycle[0].task, 2);  // waits for &a->lock
  EXPECT_EQ(f.cycle[1].task, 0);
  EXPECT_EQ(f.cycle[2].task, 1);
  EXPECT_EQ(f.headline,
            "t2, t0 and t1 wait in a cycle: t2 in lock(&a->lock) on t0, t0 in lock(&b->lock) on "
            "t1, t1 in lock(&c->lock) on t2");
  EXPECT_EQ(f.tasks.size(), 4u);
  EXPECT_EQ(f.tasks[3].blocked_by, std::vector<int>{0});
}

TEST_F(WaitForGraphTest, ShortestCycleWinsWhenAWriterWaitsForTwoReaders) {
  sync::Task& t0 = AddTask(0, "t0");
  sync::Task& t1 = AddTask(1, "t1");
  sync::Task& t2 = AddTask(2, "t2");
  sync::Task& t3 = AddTask(3, "t3");
  sync::RwSemaphore r(kSlotsRwsem);
  sync::Mutex m(kLockA), n(kLockB), p(kLockC);
  As(t0, [&] { r.DownRead(); });
  As(t1, [&] { r.DownRead(); });
  As(t2, [&] { m.Lock(); });
  As(t2, [&] { p.Lock(); });
  As(t3, [&] { n.Lock(); });
  Park(t0, m, "f0", 1);  // t0 -> t2
  Park(t1, n, "f1", 2);  // t1 -> t3
  Park(t3, p, "f3", 3);  // t3 -> t2
  // t2 -> {t0, t1}: cycles t2-t0 (2) and t2-t1-t3 (3).
  std::optional<Finding> f;
  SnapshotOnWait(f);
  AsBlocking(t2, [&] { r.DownWrite(sync::Site{"model/memslots.cc", 9}); });
  ASSERT_TRUE(f.has_value());
  ASSERT_EQ(f->cycle.size(), 2u);
  EXPECT_EQ(f->cycle[0].task, 0);  // waits for &a->lock
  EXPECT_EQ(f->cycle[1].task, 2);
  EXPECT_EQ(f->cycle[0].from.lock_class, "&kvm->mmu_notifier_slots_lock");  // t0 reads it
  EXPECT_EQ(f->cycle[0].from.mode, sync::AcquireMode::kRead);
  EXPECT_EQ(f->cycle[1].from.lock_class, "&a->lock");
  EXPECT_EQ(f->cycle[1].to.mode, sync::AcquireMode::kExclusive);
  EXPECT_EQ(f->tasks[2].wait_action, "down_write(&kvm->mmu_notifier_slots_lock)");
  EXPECT_EQ(f->tasks[2].blocked_by, (std::vector<int>{0, 1}));
}

TEST_F(WaitForGraphTest, SelfCycleOfARealSecondLock) {
  sync::Task& t0 = AddTask(0, "vcpu0");
  sync::Mutex k(kKvmLock, "vm0");
  std::optional<Finding> f;
  SnapshotOnWait(f);
  AsBlocking(t0, [&] {
    HV_KERNEL_FUNCTION("kvm_arch_vm_ioctl");
    k.Lock(sync::Site{"model/vm.cc", 5});
    HV_KERNEL_FUNCTION("kvm_xen_set_evtchn");
    k.Lock(sync::Site{"model/xen.cc", 120});
  });
  ASSERT_TRUE(f.has_value());
  ASSERT_EQ(f->cycle.size(), 1u);
  EXPECT_EQ(f->cycle[0].from.site, "model/vm.cc:5");
  EXPECT_EQ(f->cycle[0].to.site, "model/xen.cc:120");
  EXPECT_EQ(f->cycle[0].to.frames,
            (std::vector<std::string>{"kvm_xen_set_evtchn", "kvm_arch_vm_ioctl"}));
  EXPECT_EQ(f->headline, "t0 waits for itself in lock(&kvm->lock)");
  EXPECT_EQ(f->title, "deadlock in kvm_xen_set_evtchn");
}

TEST_F(WaitForGraphTest, SrcuGracePeriodWaitsForOlderReader) {
  // docs/kvm-locking.md D.1, interleaving A.
  sync::Task& vcpu = AddTask(0, "vcpu0");
  sync::Task& ioctl = AddTask(1, "vm-ioctl");
  sync::Srcu srcu(kKvmSrcu, "vm0");
  sync::Mutex lock(kKvmLock, "vm0");
  As(vcpu, [&] { srcu.ReadLock(sync::Site{"model/vcpu.cc", 44}); });
  As(ioctl, [&] { lock.Lock(sync::Site{"model/vm.cc", 70}); });
  Park(vcpu, lock, "kvm_xen_set_evtchn", 120);
  std::optional<Finding> f;
  SnapshotOnWait(f);
  AsBlocking(ioctl, [&] {
    HV_KERNEL_FUNCTION("kvm_vm_ioctl_set_pmu_event_filter");
    srcu.Synchronize(sync::Site{"model/vm.cc", 77});
  });
  ASSERT_TRUE(f.has_value());
  const TaskSnapshot& syncer = f->tasks[1];
  ASSERT_TRUE(syncer.waiting_for.has_value());
  EXPECT_EQ(syncer.waiting_for->kind, LockKind::kSrcu);
  EXPECT_EQ(syncer.waiting_for->mode, sync::AcquireMode::kExclusive);
  EXPECT_EQ(syncer.wait_action, "synchronize_srcu(&kvm->srcu)");
  EXPECT_EQ(syncer.blocked_by, std::vector<int>{0});
  ASSERT_EQ(f->cycle.size(), 2u);
  EXPECT_EQ(f->cycle[0].task, 0);  // &kvm->lock < &kvm->srcu
  EXPECT_EQ(f->cycle[0].from.mode, sync::AcquireMode::kRecursiveRead);
  EXPECT_EQ(f->title, "deadlock in kvm_xen_set_evtchn");
  EXPECT_EQ(f->Signature(), "deadlock|&kvm->lock,&kvm->srcu|");
}

TEST_F(WaitForGraphTest, QueuedWriterIsOnTheCycleWithoutHoldingTheLock) {
  // t0 reads R and waits for M; t1 queues a write on R behind t0; t2 holds M and reads R,
  // which the queued writer blocks: t0 -> t2 -> t1 -> t0.
  sync::Task& t0 = AddTask(0, "t0");
  sync::Task& t1 = AddTask(1, "t1");
  sync::Task& t2 = AddTask(2, "t2");
  sync::RwSemaphore r(kSlotsRwsem);
  sync::Mutex m(kLockA);
  As(t0, [&] { r.DownRead(); });
  As(t2, [&] { m.Lock(); });
  Park(t0, m, "f0", 1);
  std::optional<Finding> f;
  runtime_.on_wait.push_back([&] { AsBlocking(t2, [&] { r.DownRead(); }); });
  SnapshotOnWait(f);
  AsBlocking(t1, [&] { r.DownWrite(); });
  ASSERT_TRUE(f.has_value());
  ASSERT_EQ(f->cycle.size(), 3u);
  EXPECT_EQ(f->cycle[0].task, 0);
  EXPECT_EQ(f->cycle[1].task, 2);
  EXPECT_EQ(f->cycle[2].task, 1);
  EXPECT_EQ(f->cycle[2].from.lock_class, "");  // queued ahead of t2, holds nothing of R
  EXPECT_EQ(f->tasks[2].wait_action, "down_read(&kvm->mmu_notifier_slots_lock)");
}

TEST_F(WaitForGraphTest, EventNobodySignalsIsAHangWithoutCycle) {
  sync::Task& t0 = AddTask(0, "vcpu0");
  AddTask(1, "worker");
  sync::Completion done(kDone, "vcpu0");
  std::optional<Finding> f;
  SnapshotOnWait(f, /*finished=*/{1});
  AsBlocking(t0, [&] {
    HV_KERNEL_FUNCTION("kvm_vcpu_block");
    done.WaitForCompletion();
  });
  ASSERT_TRUE(f.has_value());
  EXPECT_TRUE(f->cycle.empty());
  EXPECT_EQ(f->title, "deadlock in kvm_vcpu_block");
  EXPECT_EQ(f->headline,
            "the only unfinished task is blocked; no wait-for cycle: t0 waits for "
            "wait_for_completion(&vcpu->done) that no task signals");
  EXPECT_TRUE(f->tasks[1].finished);
}

TEST_F(WaitForGraphTest, LockLeakedByFinishedTaskIsNamed) {
  sync::Task& t0 = AddTask(0, "memslots");
  sync::Task& t1 = AddTask(1, "vcpu0");
  sync::Task& t2 = AddTask(2, "vcpu1");
  sync::Mutex arch(kLockA, "vm0");
  As(t0, [&] { arch.Lock(); });  // returns without unlocking (D.5)
  Park(t1, arch, "mmu_first_shadow_root_alloc", 7);
  Park(t2, arch, "kvm_set_memslot", 8);
  Finding f = BuildDeadlockFinding(States(/*finished=*/{0}));
  EXPECT_TRUE(f.cycle.empty());
  EXPECT_EQ(f.kind, FindingKind::kDeadlock);
  EXPECT_EQ(f.headline,
            "all 2 unfinished tasks are blocked; no wait-for cycle: t1 waits for lock(&a->lock) "
            "held by finished task t0; t2 waits for lock(&a->lock) held by finished task t0");
  // Same class for both waits: the smaller frame decides, not the task id.
  EXPECT_EQ(f.title, "deadlock in kvm_set_memslot");
  EXPECT_EQ(f.Signature(), "deadlock|&a->lock|kvm_set_memslot");
  EXPECT_FALSE(f.tasks[0].waiting_for.has_value());
  EXPECT_EQ(f.tasks[0].held.size(), 1u);
}

TEST_F(WaitForGraphTest, WatchdogMakesAHangFinding) {
  sync::Task& t0 = AddTask(0, "t0");
  sync::Mutex a(kLockA);
  As(t0, [&] { a.Lock(); });
  Park(t0, a, "f", 1);
  Finding f = BuildDeadlockFinding(States(), /*watchdog=*/true);
  EXPECT_EQ(f.kind, FindingKind::kWatchdogHang);
  EXPECT_EQ(f.title, "watchdog-hang in f");
  EXPECT_EQ(f.headline,
            "no progress within the watchdog limit; t0 waits for itself in lock(&a->lock)");
}

TEST_F(WaitForGraphTest, StepBudgetNamesTheRunnableTask) {
  sync::Task& t0 = AddTask(0, "notifier");
  sync::Task& t1 = AddTask(1, "memslots");
  AddTask(2, "done");
  sync::Mutex a(kLockA);
  As(t0, [&] { a.Lock(); });
  t0.PushFrame("kvm_mmu_notifier_invalidate_range_start");
  Park(t1, a, "kvm_swap_active_memslots", 3);
  Finding f = BuildStepBudgetFinding(States(/*finished=*/{2}), 100000);
  EXPECT_EQ(f.kind, FindingKind::kStepBudget);
  EXPECT_EQ(f.title, "step-budget in kvm_mmu_notifier_invalidate_range_start");
  EXPECT_EQ(f.headline,
            "the step budget of 100000 scheduling points ran out with 2 unfinished tasks: t0 "
            "runnable in kvm_mmu_notifier_invalidate_range_start, t1 in lock(&a->lock) on t0");
  EXPECT_EQ(f.tasks.size(), 3u);
}

TEST_F(WaitForGraphTest, SnapshotCopiesHeldLocksOldestFirst) {
  sync::Task& t0 = AddTask(0, "vcpu0");
  sync::Mutex a(kLockA, "vm0"), b(kLockB, "vm0");
  t0.set_step(5);
  As(t0, [&] {
    HV_KERNEL_FUNCTION("outer");
    a.Lock(sync::Site{"model/a.cc", 1});
    b.Lock(sync::Site{"model/b.cc", 2});
  });
  std::vector<TaskSnapshot> snaps = SnapshotTasks(States());
  ASSERT_EQ(snaps.size(), 1u);
  EXPECT_EQ(snaps[0].name, "vcpu0");
  EXPECT_EQ(snaps[0].step, 5u);
  ASSERT_EQ(snaps[0].held.size(), 2u);
  EXPECT_EQ(snaps[0].held[0].lock_class, "&a->lock");
  EXPECT_EQ(snaps[0].held[0].frames, std::vector<std::string>{"outer"});
  EXPECT_EQ(snaps[0].held[1].site, "model/b.cc:2");
  EXPECT_FALSE(snaps[0].waiting_for.has_value());
  EXPECT_TRUE(snaps[0].wait_action.empty());
  EXPECT_TRUE(snaps[0].frames.empty());
}

TEST_F(WaitForGraphTest, RealDeadlockReportShowsTheInterleaving) {
  // docs/kvm-locking.md D.1, interleaving A, end to end: primitives -> recorder -> wait-for
  // graph -> report.
  InterleavingRecorder rec;
  sync::Task& vcpu = AddTask(0, "vcpu0");
  sync::Task& ioctl = AddTask(1, "vm-ioctl");
  vcpu.set_observer(rec);
  ioctl.set_observer(rec);
  sync::Mutex vcpu_mutex(kVcpuMutex, "vcpu0");
  sync::Srcu srcu(kKvmSrcu, "vm0");
  sync::Mutex lock(kKvmLock, "vm0");
  vcpu.set_step(1);
  As(vcpu, [&] {
    HV_KERNEL_FUNCTION("kvm_vcpu_ioctl");
    vcpu_mutex.Lock(sync::Site{"model/kvm_main.cc", 4130});
  });
  vcpu.set_step(2);
  As(vcpu, [&] { srcu.ReadLock(sync::Site{"model/x86.cc", 11050}); });
  ioctl.set_step(3);
  As(ioctl, [&] { lock.Lock(sync::Site{"model/x86.cc", 6480}); });
  std::optional<Finding> f;
  runtime_.on_wait.push_back([&] {
    ioctl.set_step(5);
    AsBlocking(ioctl, [&] {
      HV_KERNEL_FUNCTION("kvm_set_memslot");
      HV_KERNEL_FUNCTION("kvm_swap_active_memslots");
      srcu.Synchronize(sync::Site{"model/memslots.cc", 210});
    });
  });
  runtime_.on_wait.push_back([&] {
    f = BuildDeadlockFinding(States());
    AttachInterleaving(*f, rec.Steps());
  });
  vcpu.set_step(4);
  AsBlocking(vcpu, [&] {
    HV_KERNEL_FUNCTION("kvm_xen_hcall_evtchn_send");
    HV_KERNEL_FUNCTION("kvm_xen_set_evtchn");
    lock.Lock(sync::Site{"model/xen.cc", 212});
  });
  ASSERT_TRUE(f.has_value());
  ASSERT_EQ(f->interleaving.size(), 5u);
  EXPECT_TRUE(f->interleaving[3].blocks);  // contended lock, marked by the recorder
  EXPECT_TRUE(f->interleaving[4].blocks);  // synchronize_srcu, marked from the snapshot
  std::string text = RenderText(*f);
  EXPECT_NE(text.find("  4     model/xen.cc:212        lock(&kvm->lock)  <- blocks\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("t1  holds &kvm->lock [vm0]         waits in synchronize_srcu(&kvm->srcu)"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("\nSUMMARY: hvfuzz: deadlock in kvm_xen_set_evtchn\n"), std::string::npos);
}

}  // namespace
}  // namespace hvfuzz::check
