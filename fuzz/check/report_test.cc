// SPDX-License-Identifier: Apache-2.0
// Golden tests of the text and JSON reports: one hand-built Finding per kind, modelled on the
// bugs of docs/kvm-locking.md D. The goldens are fuzz/check/testdata/<kind>.txt and .json.
//
// To rewrite them after an intended layout change, run the test with HVFUZZ_UPDATE_GOLDEN=1
// in the environment (or with --update_golden on its command line) and review the diff:
//   HVFUZZ_UPDATE_GOLDEN=1 ctest --test-dir build/dev -R ReportGolden
#include "fuzz/check/report.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "gtest/gtest.h"

namespace hvfuzz::check {
namespace {

using sync::AcquireMode;
using sync::LockKind;

bool UpdateGolden() {
  const char* env = std::getenv("HVFUZZ_UPDATE_GOLDEN");
  if (env != nullptr && std::string(env) == "1") return true;
  std::ifstream cmdline("/proc/self/cmdline", std::ios::binary);
  std::string arg;
  while (std::getline(cmdline, arg, '\0')) {
    if (arg == "--update_golden") return true;
  }
  return false;
}

void ExpectGolden(const std::string& name, const std::string& actual) {
  const std::string path = std::string(HVFUZZ_SOURCE_DIR) + "/fuzz/check/testdata/" + name;
  if (UpdateGolden()) {
    std::ofstream(path, std::ios::binary) << actual;
    std::cerr << "rewrote " << path << "\n";
    return;
  }
  std::ifstream in(path, std::ios::binary);
  ASSERT_TRUE(in.good()) << path << " is missing; run with HVFUZZ_UPDATE_GOLDEN=1 to create it";
  std::stringstream expected;
  expected << in.rdbuf();
  EXPECT_EQ(actual, expected.str())
      << "golden " << path << " differs; HVFUZZ_UPDATE_GOLDEN=1 rewrites it";
}

LockRef Ref(std::string cls, std::string instance, LockKind kind, AcquireMode mode,
            std::string site, std::vector<std::string> frames) {
  return LockRef{std::move(cls), std::move(instance), kind,
                 mode,           std::move(site),     std::move(frames)};
}
LockRef Mutex(std::string cls, std::string instance, std::string site,
              std::vector<std::string> frames) {
  return Ref(std::move(cls), std::move(instance), LockKind::kMutex, AcquireMode::kExclusive,
             std::move(site), std::move(frames));
}

// Shared cast of docs/kvm-locking.md D.1: the vCPU inside kvm->srcu, the VM ioctl under
// kvm->lock.
const LockRef kVcpuMutex =
    Mutex("&vcpu->mutex", "vcpu0", "model/kvm_main.cc:4130", {"kvm_vcpu_ioctl"});
const LockRef kSrcuRead = Ref("&kvm->srcu", "vm0", LockKind::kSrcu, AcquireMode::kRecursiveRead,
                              "model/x86.cc:11050", {"vcpu_run", "kvm_arch_vcpu_ioctl_run"});
const LockRef kSrcuSync =
    Ref("&kvm->srcu", "vm0", LockKind::kSrcu, AcquireMode::kExclusive, "model/memslots.cc:210",
        {"kvm_swap_active_memslots", "kvm_set_memslot"});
const LockRef kKvmLockXen = Mutex("&kvm->lock", "vm0", "model/xen.cc:212",
                                  {"kvm_xen_set_evtchn", "kvm_xen_hcall_evtchn_send"});
const LockRef kKvmLockIoctl =
    Mutex("&kvm->lock", "vm0", "model/x86.cc:6480", {"kvm_vm_ioctl_enable_cap"});
const LockRef kSlotsLock = Mutex("&kvm->slots_lock", "vm0", "model/x86.cc:6502",
                                 {"kvm_vm_ioctl_set_identity_map_addr", "kvm_vm_ioctl_enable_cap"});

TaskSnapshot Task(int id, std::string name, std::vector<LockRef> held, uint64_t step = 0) {
  TaskSnapshot t;
  t.task = id;
  t.name = std::move(name);
  t.held = std::move(held);
  t.step = step;
  return t;
}
TaskSnapshot Waiting(TaskSnapshot t, LockRef wait, std::string action, std::vector<int> by) {
  t.frames = wait.frames;
  t.waiting_for = std::move(wait);
  t.wait_action = std::move(action);
  t.blocked_by = std::move(by);
  return t;
}

ReplayInfo Replay() {
  return ReplayInfo{"crash-8c3e1f0a2b9d.hvp", 0x5eed, "pct depth=3",
                    "# hvfuzz-prog v1\n# seed: 0x5eed\n# strategy: pct depth=3\n"
                    "t0 vm.enable_cap cap=identity_map\nt1 vcpu.run vcpu=0\n"
                    "t1 xen.evtchn_send port=3\n"};
}

Finding LockOrderCycle() {
  Finding f;
  f.kind = FindingKind::kLockOrderCycle;
  f.title = "lock-order-cycle in kvm_xen_set_evtchn";
  f.headline = "t1 takes &kvm->lock inside &kvm->srcu (read), closing a cycle of 3 lock classes";
  f.task = 1;
  f.task_name = "vcpu0";
  f.acquiring = kKvmLockXen;
  f.site = kKvmLockXen.site;
  f.frames = kKvmLockXen.frames;
  f.cycle = {{kKvmLockIoctl, kSlotsLock, 0, "vm-ioctl", 5},
             {kSlotsLock, kSrcuSync, 0, "vm-ioctl", 8},
             {kSrcuRead, kKvmLockXen, 1, "vcpu0", 17}};
  f.tasks = {Task(0, "vm-ioctl", {}, 12), Task(1, "vcpu0", {kVcpuMutex, kSrcuRead}, 17)};
  f.interleaving = {{4, 0, "lock(&kvm->lock)", "model/x86.cc:6480", false},
                    {5, 0, "lock(&kvm->slots_lock)", "model/x86.cc:6502", false},
                    {8, 0, "synchronize_srcu(&kvm->srcu)", "model/memslots.cc:210", false},
                    {9, 0, "unlock(&kvm->slots_lock)", "model/x86.cc:6510", false},
                    {10, 0, "unlock(&kvm->lock)", "model/x86.cc:6511", false},
                    {12, 0, "return to user: KVM_ENABLE_CAP", "", false},
                    {14, 1, "lock(&vcpu->mutex)", "model/kvm_main.cc:4130", false},
                    {15, 1, "srcu_read_lock(&kvm->srcu)", "model/x86.cc:11050", false},
                    {17, 1, "lock(&kvm->lock)", "model/xen.cc:212", false}};
  f.replay = Replay();
  return f;
}

Finding Deadlock() {
  Finding f;
  f.kind = FindingKind::kDeadlock;
  f.title = "deadlock in kvm_xen_set_evtchn";
  f.headline =
      "t0 and t1 wait for each other: t0 in lock(&kvm->lock) on t1, t1 in "
      "synchronize_srcu(&kvm->srcu) on t0";
  f.tasks = {
      Waiting(Task(0, "vcpu0", {kVcpuMutex, kSrcuRead}, 9), kKvmLockXen, "lock(&kvm->lock)", {1}),
      Waiting(Task(1, "vm-ioctl", {kKvmLockIoctl}, 8), kSrcuSync, "synchronize_srcu(&kvm->srcu)",
              {0}),
      Task(2, "vcpu1", {}, 3)};
  f.tasks[2].finished = true;
  f.cycle = {{kSrcuRead, kKvmLockXen, 0, "vcpu0", 9}, {kKvmLockIoctl, kSrcuSync, 1, "vm-ioctl", 8}};
  f.interleaving = {{1, 2, "return to user: KVM_RUN", "", false},
                    {4, 0, "lock(&vcpu->mutex)", "model/kvm_main.cc:4130", false},
                    {5, 0, "srcu_read_lock(&kvm->srcu)", "model/x86.cc:11050", false},
                    {7, 1, "lock(&kvm->lock)", "model/x86.cc:6480", false},
                    {8, 1, "synchronize_srcu(&kvm->srcu)", "model/memslots.cc:210", true},
                    {9, 0, "lock(&kvm->lock)", "model/xen.cc:212", true}};
  f.replay = Replay();
  f.replay.strategy = "replay";
  return f;
}

Finding RecursiveLocking() {
  Finding f;
  f.kind = FindingKind::kRecursiveLocking;
  f.title = "recursive-locking in sev_lock_two_vms";
  f.headline = "t0 takes &kvm->lock (vm1) while holding &kvm->lock (vm0), with no subclass";
  f.task = 0;
  f.task_name = "vm-ioctl";
  std::vector<std::string> frames = {"sev_lock_two_vms", "sev_vm_move_enc_context_from"};
  f.acquiring = Mutex("&kvm->lock", "vm1", "model/sev.cc:1822", frames);
  f.site = "model/sev.cc:1822";
  f.frames = frames;
  f.tasks = {Task(0, "vm-ioctl", {Mutex("&kvm->lock", "vm0", "model/sev.cc:1815", frames)}, 3)};
  f.interleaving = {{2, 0, "lock(&kvm->lock)", "model/sev.cc:1815", false},
                    {3, 0, "lock(&kvm->lock)", "model/sev.cc:1822", false}};
  f.replay = Replay();
  return f;
}

Finding SleepInAtomic() {
  Finding f;
  f.kind = FindingKind::kSleepInAtomic;
  f.title = "sleep-in-atomic in kvm_gpc_refresh";
  f.headline = "t1 may sleep in lock(&gpc->refresh_lock) with &gpc->lock (read) held";
  f.task = 1;
  f.task_name = "vcpu0";
  std::vector<std::string> frames = {"kvm_gpc_refresh", "kvm_xen_set_evtchn_fast"};
  f.acquiring = Mutex("&gpc->refresh_lock", "gpc0", "model/gpc.cc:301", frames);
  f.site = "model/gpc.cc:301";
  f.frames = frames;
  f.tasks = {Task(1, "vcpu0",
                  {kVcpuMutex, kSrcuRead,
                   Ref("&gpc->lock", "gpc0", LockKind::kRwLock, AcquireMode::kRead,
                       "model/gpc.cc:120", {"kvm_xen_set_evtchn_fast"})},
                  6)};
  f.replay = Replay();
  return f;
}

Finding LockHeldAtReturn() {
  Finding f;
  f.kind = FindingKind::kLockHeldAtReturn;
  f.title = "lock-held-at-return in kvm_set_memslot";
  f.headline =
      "t0 returns to user space from KVM_SET_USER_MEMORY_REGION still holding "
      "&kvm->slots_arch_lock (vm0)";
  f.task = 0;
  f.task_name = "memslots";
  f.site = "model/kvm_main.cc:5010";
  f.frames = {"kvm_vm_ioctl"};
  f.tasks = {Task(0, "memslots",
                  {Mutex("&kvm->slots_arch_lock", "vm0", "model/memslots.cc:330",
                         {"kvm_set_memslot", "__kvm_set_memory_region"})},
                  11)};
  f.interleaving = {{6, 0, "lock(&kvm->slots_lock)", "model/memslots.cc:120", false},
                    {8, 0, "lock(&kvm->slots_arch_lock)", "model/memslots.cc:330", false},
                    {10, 0, "unlock(&kvm->slots_lock)", "model/memslots.cc:141", false},
                    {11, 0, "return to user: KVM_SET_USER_MEMORY_REGION", "", false}};
  f.replay = Replay();
  return f;
}

Finding BadUnlockOrNotHeld(FindingKind kind) {
  Finding f;
  f.kind = kind;
  const bool unlock = kind == FindingKind::kBadUnlock;
  std::vector<std::string> frames =
      unlock ? std::vector<std::string>{"kvm_gpc_deactivate"}
             : std::vector<std::string>{"__kvm_gpc_refresh", "kvm_gpc_deactivate"};
  f.title = FindingTitle(kind, frames[0]);
  f.headline = unlock ? "t2 releases &gpc->refresh_lock (gpc0), which it does not hold"
                      : "t2 asserts that it holds &gpc->refresh_lock (gpc0), and does not";
  f.task = 2;
  f.task_name = "xen-attr";
  f.acquiring = Mutex("&gpc->refresh_lock", "gpc0", "model/gpc.cc:402", frames);
  f.site = "model/gpc.cc:402";
  f.frames = frames;
  f.tasks = {Task(
      2, "xen-attr",
      {Mutex("&kvm->arch.xen.xen_lock", "vm0", "model/xen.cc:640", {"kvm_xen_hvm_set_attr"})}, 21)};
  f.replay = Replay();
  return f;
}

Finding InvariantViolation() {
  Finding f;
  f.kind = FindingKind::kInvariantViolation;
  f.title = "invariant-violation in kvm_gpc_check";
  f.invariant = "gpc.valid_implies_khva_mapped";
  f.headline = "gpc0 is \"valid\" but its khva was unmapped at step 23 by t1 (kvm_gpc_deactivate)";
  f.task = 2;
  f.task_name = "vcpu1";
  f.site = "model/gpc.cc:88";
  f.frames = {"kvm_gpc_check", "kvm_xen_set_evtchn_fast"};
  f.tasks = {Task(2, "vcpu1",
                  {Ref("&gpc->lock", "gpc0", LockKind::kRwLock, AcquireMode::kRead,
                       "model/gpc.cc:80", {"kvm_xen_set_evtchn_fast"})},
                  25)};
  f.interleaving = {{23, 1, "unlock(&gpc->refresh_lock)", "model/gpc.cc:420", false},
                    {24, 1, "return to user: KVM_XEN_HVM_SET_ATTR", "", false},
                    {25, 2, "read_lock(&gpc->lock)", "model/gpc.cc:80", false}};
  f.replay = Replay();
  return f;
}

Finding StepBudget() {
  Finding f;
  f.kind = FindingKind::kStepBudget;
  f.title = "step-budget in kvm_mmu_notifier_invalidate_range_start";
  f.headline =
      "the step budget of 100000 scheduling points ran out with 2 unfinished tasks: t0 "
      "runnable in kvm_mmu_notifier_invalidate_range_start, t1 in "
      "rcuwait_wait_event(&kvm->mn_memslots_update_rcuwait) on t0";
  TaskSnapshot notifier = Task(0, "notifier", {}, 99998);
  notifier.frames = {"kvm_mmu_notifier_invalidate_range_start", "mmu_notifier_invalidate_range"};
  LockRef wait =
      Ref("&kvm->mn_memslots_update_rcuwait", "vm0", LockKind::kLockdepMap, AcquireMode::kExclusive,
          "model/memslots.cc:260", {"kvm_swap_active_memslots", "kvm_set_memslot"});
  f.tasks = {notifier, Waiting(Task(1, "memslots",
                                    {Mutex("&kvm->slots_lock", "vm0", "model/memslots.cc:120",
                                           {"kvm_set_memory_region"})},
                                    99990),
                               wait, "rcuwait_wait_event(&kvm->mn_memslots_update_rcuwait)", {0})};
  f.interleaving = {
      {99990, 1, "rcuwait_wait_event(&kvm->mn_memslots_update_rcuwait)", "model/memslots.cc:260",
       true},
      {99996, 0, "spin_lock(&kvm->mn_invalidate_lock)", "model/notifier.cc:40", false},
      {99997, 0, "spin_unlock(&kvm->mn_invalidate_lock)", "model/notifier.cc:44", false},
      {99998, 0, "return to user: mmu_invalidate_range", "", false}};
  f.replay = Replay();
  return f;
}

Finding WatchdogHang() {
  // docs/kvm-locking.md D.2: five tasks, the hotplug writer only queued.
  LockRef kvm_lock = Mutex("kvm_lock", "", "model/mmu.cc:7010", {"set_nx_huge_pages"});
  LockRef slots =
      Mutex("&kvm->slots_lock", "vm0", "model/memslots.cc:120", {"kvm_set_memory_region"});
  LockRef slots_wait = Mutex("&kvm->slots_lock", "vm0", "model/mmu.cc:7014", {"set_nx_huge_pages"});
  LockRef hotplug_read = Ref("cpu_hotplug_lock", "", LockKind::kPercpuRwSem, AcquireMode::kRead,
                             "model/x86.cc:9300", {"__kvmclock_cpufreq_notifier"});
  LockRef kvm_lock_wait =
      Mutex("kvm_lock", "", "model/x86.cc:9310", {"__kvmclock_cpufreq_notifier"});
  LockRef hotplug_wait = Ref("cpu_hotplug_lock", "", LockKind::kPercpuRwSem, AcquireMode::kRead,
                             "model/lapic.cc:2540", {"static_key_slow_inc", "kvm_lapic_set_base"});
  LockRef hotplug_write = Ref("cpu_hotplug_lock", "", LockKind::kPercpuRwSem,
                              AcquireMode::kExclusive, "model/global.cc:50", {"cpu_hotplug"});
  Finding f;
  f.kind = FindingKind::kWatchdogHang;
  f.title = "watchdog-hang in set_nx_huge_pages";
  f.headline =
      "no progress within the watchdog limit; t1, t0, t3, t4 and t2 wait in a cycle: "
      "t1 in lock(&kvm->slots_lock) on t0, t0 in synchronize_srcu(&kvm->srcu) on t3, "
      "t3 in percpu_down_read(cpu_hotplug_lock) on t4, t4 in "
      "percpu_down_write(cpu_hotplug_lock) on t2, t2 in lock(kvm_lock) on t1";
  f.tasks = {
      Waiting(Task(0, "memslots", {slots}), kSrcuSync, "synchronize_srcu(&kvm->srcu)", {3}),
      Waiting(Task(1, "nx-huge-pages", {kvm_lock}), slots_wait, "lock(&kvm->slots_lock)", {0}),
      Waiting(Task(2, "cpufreq", {hotplug_read}), kvm_lock_wait, "lock(kvm_lock)", {1}),
      Waiting(Task(3, "vcpu0", {kSrcuRead}), hotplug_wait, "percpu_down_read(cpu_hotplug_lock)",
              {4}),
      Waiting(Task(4, "hotplug", {}), hotplug_write, "percpu_down_write(cpu_hotplug_lock)", {2}),
  };
  f.cycle = {{kvm_lock, slots_wait, 1, "nx-huge-pages", 0},
             {slots, kSrcuSync, 0, "memslots", 0},
             {kSrcuRead, hotplug_wait, 3, "vcpu0", 0},
             {LockRef{}, hotplug_write, 4, "hotplug", 0},
             {hotplug_read, kvm_lock_wait, 2, "cpufreq", 0}};
  f.interleaving = {{0, 0, "lock(&kvm->slots_lock)", "model/memslots.cc:120", false},
                    {0, 3, "srcu_read_lock(&kvm->srcu)", "model/x86.cc:11050", false},
                    {0, 2, "percpu_down_read(cpu_hotplug_lock)", "model/x86.cc:9300", false},
                    {0, 1, "lock(kvm_lock)", "model/mmu.cc:7010", false},
                    {0, 4, "percpu_down_write(cpu_hotplug_lock)", "model/global.cc:50", true},
                    {0, 1, "lock(&kvm->slots_lock)", "model/mmu.cc:7014", true},
                    {0, 2, "lock(kvm_lock)", "model/x86.cc:9310", true},
                    {0, 3, "percpu_down_read(cpu_hotplug_lock)", "model/lapic.cc:2540", true},
                    {0, 0, "synchronize_srcu(&kvm->srcu)", "model/memslots.cc:210", true}};
  f.replay = ReplayInfo{"", 0x5eed, "free-running", ""};
  return f;
}

std::vector<Finding> OnePerKind() {
  return {LockOrderCycle(),
          Deadlock(),
          RecursiveLocking(),
          SleepInAtomic(),
          LockHeldAtReturn(),
          BadUnlockOrNotHeld(FindingKind::kBadUnlock),
          BadUnlockOrNotHeld(FindingKind::kLockNotHeld),
          InvariantViolation(),
          StepBudget(),
          WatchdogHang()};
}

TEST(ReportGoldenTest, TextAndJsonOfEveryKindMatchTheGoldens) {
  for (const Finding& f : OnePerKind()) {
    SCOPED_TRACE(FindingKindName(f.kind));
    const std::string name(FindingKindName(f.kind));
    ExpectGolden(name + ".txt", RenderText(f));
    ExpectGolden(name + ".json", RenderJson(f));
  }
}

TEST(ReportTextTest, EndsWithSummaryAndNeverUsesLockdepHeadline) {
  for (const Finding& f : OnePerKind()) {
    std::string text = RenderText(f);
    std::string last = "SUMMARY: hvfuzz: " + f.title + "\n";
    ASSERT_GE(text.size(), last.size());
    EXPECT_EQ(text.substr(text.size() - last.size()), last);
    EXPECT_EQ(text.rfind("SUMMARY:"), text.size() - last.size());
    EXPECT_EQ(text.find("possible circular locking dependency detected"), std::string::npos);
    EXPECT_EQ(text.find(" \n"), std::string::npos) << "trailing space in\n" << text;
    EXPECT_EQ(text.rfind("==== hvfuzz: ", 0), 0u);
  }
}

TEST(ReportTextTest, RenderingIsDeterministic) {
  for (const Finding& f : OnePerKind()) {
    Finding copy = f;
    EXPECT_EQ(RenderText(f), RenderText(copy));
    EXPECT_EQ(RenderJson(f), RenderJson(copy));
  }
}

TEST(ReportTextTest, EmptyFindingStillHasHeadlineAndSummary) {
  Finding f;
  f.kind = FindingKind::kDeadlock;
  EXPECT_EQ(RenderText(f),
            "==== hvfuzz: deadlock ====\ntasks:\nreplay: (not saved) seed=0x0 strategy=?\n"
            "SUMMARY: hvfuzz: deadlock\n");
}

TEST(ReportJsonTest, EscapesStringsAndWritesNullForAbsentOptionals) {
  Finding f;
  f.kind = FindingKind::kInvariantViolation;
  f.title = "invariant-violation in f";
  f.headline = std::string("quote\" backslash\\ newline\n tab\t bell\x07 del\x7f utf8 \xc3\xa9");
  std::string json = RenderJson(f);
  EXPECT_NE(json.find(R"("headline": "quote\" backslash\\ newline\n tab\t bell\u0007 del\u007f )"
                      "utf8 \xc3\xa9\""),
            std::string::npos)
      << json;
  EXPECT_NE(json.find("\"acquiring\": null,"), std::string::npos);
  EXPECT_NE(json.find("\"cycle\": [],"), std::string::npos);
  EXPECT_NE(json.find("\"signature\": \"invariant-violation||f\""), std::string::npos);
  EXPECT_EQ(json.back(), '\n');
}

}  // namespace
}  // namespace hvfuzz::check
