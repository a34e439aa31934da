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

}  // namespace hvfuzz::model
