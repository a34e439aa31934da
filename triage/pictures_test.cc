// SPDX-License-Identifier: Apache-2.0
// Golden tests of the pictures (pictures.h) and the index (index_html.h) on a hand-built
// finding: the ABBA of docs/kvm-locking.md D.1 (kvm->lock vs vcpu->mutex).
#include "triage/pictures.h"

#include <gtest/gtest.h>

#include "triage/index_html.h"
#include "triage/testing_golden.h"

namespace hvfuzz::triage {
namespace {

check::LockRef Mutex(std::string cls, std::string instance, std::string site,
                     std::string frame) {
  check::LockRef r;
  r.lock_class = std::move(cls);
  r.instance = std::move(instance);
  r.site = std::move(site);
  r.frames = {std::move(frame)};
  return r;
}

check::Finding Abba() {
  check::Finding f;
  f.kind = check::FindingKind::kLockOrderCycle;
  f.title = "lock-order-cycle in kvm_vm_ioctl_create_vcpu";
  f.task = 1;
  check::LockRef vcpu_mutex = Mutex("&vcpu->mutex", "vcpu0", "model/vcpu.cc:40", "kvm_vcpu_ioctl");
  check::LockRef kvm_lock = Mutex("&kvm->lock", "vm0", "model/xen_evtchn.cc:82", "kvm_xen_set_evtchn");
  check::LockRef srcu = vcpu_mutex;
  srcu.lock_class = "&kvm->srcu";
  srcu.kind = sync::LockKind::kSrcu;
  srcu.mode = sync::AcquireMode::kRecursiveRead;
  f.cycle.push_back({vcpu_mutex, kvm_lock, 0, "t0", 9});
  check::LockRef create = Mutex("&vcpu->mutex", "vcpu0", "model/vcpu.cc:93", "kvm_vm_ioctl_create_vcpu");
  f.cycle.push_back({kvm_lock, create, 1, "t1", 26});
  f.interleaving = {{4, 0, "lock(&vcpu->mutex)", "model/vcpu.cc:40", false},
                    {5, 0, "srcu_read_lock(&kvm->srcu)", "model/x86.cc:11050", false},
                    {9, 0, "lock(&kvm->lock)", "model/xen_evtchn.cc:82", false},
                    {20, 1, "lock(&kvm->lock)", "model/vcpu.cc:90", true},
                    {26, 1, "lock(&vcpu->mutex)", "model/vcpu.cc:93", false}};
  check::TaskSnapshot t0;
  t0.task = 0;
  t0.name = "vcpu0";
  t0.held = {vcpu_mutex, srcu};
  check::TaskSnapshot t1;
  t1.task = 1;
  t1.held = {kvm_lock};
  f.tasks = {t0, t1};
  f.acquiring = create;
  return f;
}

TEST(PicturesGoldenTest, LockGraphDotOfACycle) { testing::ExpectGolden("abba.dot", LockGraphDot(Abba())); }

TEST(PicturesGoldenTest, LockGraphDotWithoutACycleDrawsTheHeldChain) {
  check::Finding f = Abba();
  f.kind = check::FindingKind::kSleepInAtomic;
  f.title = "sleep-in-atomic in kvm_vm_ioctl_create_vcpu";
  f.cycle.clear();
  f.task = 0;
  testing::ExpectGolden("held-chain.dot", LockGraphDot(f));
}

TEST(PicturesGoldenTest, SwimlaneSvg) {
  const std::string svg = SwimlaneSvg(Abba());
  testing::ExpectGolden("abba-interleaving.svg", svg);
  EXPECT_NE(svg.find("&lt;- blocks"), std::string::npos);
  EXPECT_NE(svg.find("t0 (vcpu0)"), std::string::npos);
}

TEST(PicturesTest, EscapesMarkup) {
  EXPECT_EQ(HtmlEscape("a<b>&\"c\""), "a&lt;b&gt;&amp;&quot;c&quot;");
  check::Finding f = Abba();
  f.title = "x \"quoted\" \\ y";
  EXPECT_NE(LockGraphDot(f).find("label=\"x \\\"quoted\\\" \\\\ y\""), std::string::npos);
}

TEST(IndexGoldenTest, BucketsAndLostCrashes) {
  IndexBucket b;
  b.key = "lock-order-cycle-9addafbf9692";
  b.kind = "lock-order-cycle";
  b.title = "lock-order-cycle in kvm_vm_ioctl_create_vcpu";
  b.signature = "lock-order-cycle|&kvm->lock,&vcpu->mutex|kvm_vm_ioctl_create_vcpu";
  b.bugs = "xen-evtchn-kvm-lock";
  b.members = {{"findings/xen/crash-1", "libfuzzer", "xen", "replays as is"},
               {"afl/main/crashes/id:000000", "afl", "vm", "replays as is with the inferred switch"}};
  b.original = {3, 14, 20};
  b.minimized = {1, 3, 0};
  b.identical_runs = b.identity_runs = 100;
  b.has_svg_graph = true;
  IndexLost lost{"findings/vm/crash-2", "libfuzzer", "vm", "free", "",
                 "not reproducible", "no deterministic reproducer in 3001 controlled runs"};
  testing::ExpectGolden("index.html", IndexHtml({b}, {lost}));
}

}  // namespace
}  // namespace hvfuzz::triage
