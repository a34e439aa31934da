// SPDX-License-Identifier: Apache-2.0
// Buckets (bucket.h): key naming, slugs, grouping across engines, representative choice.
#include "triage/bucket.h"

#include <gtest/gtest.h>

#include "fuzz/prog/text_codec.h"

namespace hvfuzz::triage {
namespace {

check::Finding FindingWith(check::FindingKind kind, std::string title,
                           std::vector<std::string> classes) {
  check::Finding f;
  f.kind = kind;
  f.title = std::move(title);
  for (size_t i = 0; i < classes.size(); ++i) {
    check::Dependency d;
    d.from.lock_class = classes[i];
    d.to.lock_class = classes[(i + 1) % classes.size()];
    f.cycle.push_back(d);
  }
  return f;
}

BucketMember Member(std::string path, std::string engine, int ops) {
  BucketMember m;
  m.crash.path = std::move(path);
  m.crash.engine = std::move(engine);
  m.program.threads.assign(1, std::vector<model::OpCall>(ops));
  return m;
}

TEST(BucketKeyTest, IsKindPlusTwelveHexDigitsAndStable) {
  const std::string sig = "lock-order-cycle|&kvm->lock,&vcpu->mutex|kvm_vm_ioctl_create_vcpu";
  const std::string key = BucketKey(sig);
  EXPECT_EQ(key.rfind("lock-order-cycle-", 0), 0u) << key;
  EXPECT_EQ(key.size(), std::string("lock-order-cycle-").size() + 12);
  EXPECT_EQ(key.find_first_not_of("0123456789abcdef", 17), std::string::npos) << key;
  EXPECT_EQ(BucketKey(sig), key);
  // FNV-1a 64 of "a|b|c", low 48 bits: a fixed value, so names survive rebuilds and machines.
  EXPECT_EQ(BucketKey("a|b|c"), "a-323f6a5f21c7")
      << "the key function changed: every stored bucket name would change with it";
  EXPECT_NE(BucketKey(sig + "x"), key);
}

TEST(SlugTest, KeepsLowercaseWordsJoinedByDashes) {
  EXPECT_EQ(Slug("lock-order-cycle in kvm_xen_set_evtchn"), "lock-order-cycle-in-kvm-xen-set-evtchn");
  EXPECT_EQ(Slug("  A&B -> C  "), "a-b-c");
  EXPECT_EQ(Slug("xen-evtchn-kvm-lock,gpc-refresh-race"), "xen-evtchn-kvm-lock-gpc-refresh-race");
  EXPECT_EQ(Slug("&&"), "");
}

TEST(BucketsTest, SameSignatureFromTwoEnginesIsOneBucketWithTheSmallestRepresentative) {
  Buckets buckets;
  const check::Finding f =
      FindingWith(check::FindingKind::kLockOrderCycle, "lock-order-cycle in f", {"&b", "&a"});
  const check::Finding other =
      FindingWith(check::FindingKind::kDeadlock, "deadlock in f", {"&b", "&a"});
  buckets.Add(Member("findings/vm/crash-1", "libfuzzer", 9), f);
  buckets.Add(Member("out/main/crashes/id:000000", "afl", 4), f);
  buckets.Add(Member("findings/vm/crash-2", "libfuzzer", 6), f);
  buckets.Add(Member("findings/vm/crash-3", "libfuzzer", 2), other);
  ASSERT_EQ(buckets.by_key().size(), 2u);
  const Bucket& b = buckets.by_key().at(BucketKey(f.Signature()));
  EXPECT_EQ(b.signature, f.Signature());
  ASSERT_EQ(b.members.size(), 3u);
  EXPECT_EQ(b.members[b.representative].crash.engine, "afl");
  EXPECT_EQ(b.members[b.representative].program.num_ops(), 4);
  EXPECT_EQ(buckets.by_key().at(BucketKey(other.Signature())).members.size(), 1u);
}

TEST(BucketsTest, TiesGoToTheFirstPathInOrder) {
  Buckets buckets;
  const check::Finding f =
      FindingWith(check::FindingKind::kLockOrderCycle, "lock-order-cycle in f", {"&a", "&b"});
  buckets.Add(Member("z", "libfuzzer", 3), f);
  buckets.Add(Member("a", "libfuzzer", 3), f);
  const Bucket& b = buckets.by_key().begin()->second;
  EXPECT_EQ(b.members[b.representative].crash.path, "a");
}

}  // namespace
}  // namespace hvfuzz::triage
