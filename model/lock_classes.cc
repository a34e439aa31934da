// SPDX-License-Identifier: Apache-2.0
#include "model/lock_classes.h"

namespace hvfuzz::model {

namespace lock_classes {
#define HV_LOCK_CLASS(id, name, kind, protects, inside, never) \
  const sync::LockClass id{name, sync::LockKind::kind};
#include "model/lock_classes.def"
#undef HV_LOCK_CLASS
}  // namespace lock_classes

namespace {
const LockClassInfo kTable[] = {
#define HV_LOCK_CLASS(id, name, kind, protects, inside, never) \
  {#id, &lock_classes::id, protects, inside, never},
#include "model/lock_classes.def"
#undef HV_LOCK_CLASS
};
}  // namespace

std::span<const LockClassInfo> LockClassTable() { return kTable; }

const LockClassInfo* FindLockClassInfo(std::string_view id) {
  for (const LockClassInfo& info : kTable) {
    if (info.id == id) return &info;
  }
  return nullptr;
}

const LockClassInfo* LockClassInfoFor(const sync::LockClass& cls) {
  for (const LockClassInfo& info : kTable) {
    if (info.lock_class == &cls) return &info;
  }
  return nullptr;
}

std::vector<ClassListEntry> ParseClassList(std::string_view list) {
  constexpr std::string_view kSync = ":sync";
  std::vector<ClassListEntry> out;
  size_t pos = 0;
  while (pos < list.size()) {
    size_t end = list.find(' ', pos);
    if (end == std::string_view::npos) end = list.size();
    std::string_view token = list.substr(pos, end - pos);
    pos = end + 1;
    if (token.empty()) continue;
    ClassListEntry e{token, false};
    if (token.size() > kSync.size() && token.ends_with(kSync)) {
      e = {token.substr(0, token.size() - kSync.size()), true};
    }
    out.push_back(e);
  }
  return out;
}

}  // namespace hvfuzz::model
