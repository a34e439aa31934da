// SPDX-License-Identifier: Apache-2.0
#include "triage/bucket.h"

#include <cstdint>
#include <cstdio>
#include <tuple>

namespace hvfuzz::triage {
namespace {

// Smaller is a better representative: fewer ops, fewer schedule bytes, then path order.
auto Size(const BucketMember& m) {
  return std::make_tuple(m.program.num_ops(), m.program.schedule.size(), m.crash.path);
}

}  // namespace

std::string BucketKey(std::string_view signature) {
  uint64_t h = 0xcbf29ce484222325ULL;  // FNV-1a 64
  for (unsigned char c : signature) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  const std::string_view kind = signature.substr(0, signature.find('|'));
  char hex[16];
  std::snprintf(hex, sizeof(hex), "%012llx",
                static_cast<unsigned long long>(h & 0xffffffffffffULL));
  return std::string(kind) + "-" + hex;
}

std::string Slug(std::string_view text) {
  std::string out;
  bool dash = false;
  for (char c : text) {
    const bool keep = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    const bool upper = c >= 'A' && c <= 'Z';
    if (keep || upper) {
      if (dash && !out.empty()) out += '-';
      out += upper ? static_cast<char>(c - 'A' + 'a') : c;
      dash = false;
    } else {
      dash = true;
    }
  }
  return out;
}

void Buckets::Add(BucketMember member, const check::Finding& finding) {
  const std::string signature = finding.Signature();
  const std::string key = BucketKey(signature);
  auto [it, inserted] = buckets_.try_emplace(key);
  Bucket& b = it->second;
  if (inserted) {
    b.key = key;
    b.signature = signature;
    b.finding = finding;
  }
  b.members.push_back(std::move(member));
  const size_t i = b.members.size() - 1;
  if (i > 0 && Size(b.members[i]) < Size(b.members[b.representative])) {
    b.representative = i;
    b.finding = finding;
  }
}

}  // namespace hvfuzz::triage
