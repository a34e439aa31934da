// SPDX-License-Identifier: Apache-2.0
// Buckets: crash files grouped by their finding's signature (check::Finding::Signature(), the
// stable "kind|classes|function" key), across engines and targets. Each bucket keeps every
// member and picks as representative the smallest reproducing program (fewest ops, then
// fewest schedule bytes, then path), which is what triage minimizes.
//
// Names: a bucket's directory is BucketKey(signature) = "<kind>-<12 hex digits of FNV-1a 64 of
// the signature>", e.g. "lock-order-cycle-3fa1c2d0e9b4": stable across runs and machines, so
// the same bug lands in the same-named bucket every time. Slug() makes file names from titles
// and switch names.
//
// Contract: plain data and pure functions; no I/O; not thread-safe (no internal locking).
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz/check/finding.h"
#include "fuzz/prog/program.h"
#include "triage/crash_file.h"

namespace hvfuzz::triage {

struct BucketMember {
  CrashFile crash;
  prog::Program program;  // the reproducing program (header maybe rewritten by the search)
  std::vector<std::string> bugs;
  std::string how;        // how it reproduced (Reproduction::how)
};

struct Bucket {
  std::string key;        // BucketKey(signature)
  std::string signature;
  check::Finding finding;  // the representative's finding
  std::vector<BucketMember> members;  // in insertion order
  size_t representative = 0;          // index into members
};

// "<kind>-<fnv1a64(signature) as 12 lowercase hex digits>".
std::string BucketKey(std::string_view signature);
// Lowercase letters and digits kept, every other run of characters -> one '-', trimmed:
// "lock-order-cycle in kvm_xen_set_evtchn" -> "lock-order-cycle-in-kvm-xen-set-evtchn".
std::string Slug(std::string_view text);

class Buckets {
 public:
  // Adds a reproduced crash under its finding's signature.
  void Add(BucketMember member, const check::Finding& finding);
  // Buckets by key (sorted, so output order is stable).
  const std::map<std::string, Bucket>& by_key() const { return buckets_; }

 private:
  std::map<std::string, Bucket> buckets_;
};

}  // namespace hvfuzz::triage
