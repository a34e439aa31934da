// SPDX-License-Identifier: Apache-2.0
// The model's lock classes, generated from model/lock_classes.def (STYLE.md G6), and the table
// of their rules (allowed outer classes, forbidden outer classes) that model/LOCKING.md and the
// lock-order test are built from.
//
// Contract: the LockClass objects are process-wide constants created at static
// initialization; LockClassTable() is a constant table in .def order. Thread-safe, no
// allocation.
#pragma once

#include <span>
#include <string_view>
#include <vector>

#include "model/sync/lock_class.h"

namespace hvfuzz::model {

namespace lock_classes {
#define HV_LOCK_CLASS(id, name, kind, protects, inside, never) extern const sync::LockClass id;
#include "model/lock_classes.def"
#undef HV_LOCK_CLASS
}  // namespace lock_classes

struct LockClassInfo {
  std::string_view id;              // "kSlotsLock"
  const sync::LockClass* lock_class;
  std::string_view protects;
  std::string_view may_be_inside;   // space-separated ids; "kSlotsLock:sync" on SRCU rows
  std::string_view never_inside;    // space-separated ids
};

std::span<const LockClassInfo> LockClassTable();

// One entry of a may_be_inside / never_inside list: "kKvmSrcu:sync" is {"kKvmSrcu", true}
// (the row's class may be synchronized inside it, on SRCU rows).
struct ClassListEntry {
  std::string_view id;
  bool sync = false;
};
// The entries of a space-separated class list, in order (empty tokens skipped).
std::vector<ClassListEntry> ParseClassList(std::string_view list);
// The row of `id` ("kSlotsLock") or of class `cls`; nullptr when there is none.
const LockClassInfo* FindLockClassInfo(std::string_view id);
const LockClassInfo* LockClassInfoFor(const sync::LockClass& cls);

}  // namespace hvfuzz::model
