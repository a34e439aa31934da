// SPDX-License-Identifier: Apache-2.0
#include "model/sync/kernel_context.h"

#include "model/sync/sync_observer.h"
#include "model/sync/task.h"

namespace hvfuzz::sync {

void ReturnToUser(std::string_view operation) {
  Task& t = CurrentTask();
  if (!t.unwinding()) t.observer().OnReturnToUser(t, operation);
}

void ReportInvariantViolation(std::string_view invariant, std::string_view detail, Site site) {
  Task& t = CurrentTask();
  if (!t.unwinding()) t.observer().OnInvariantViolation(t, invariant, detail, site);
}

}  // namespace hvfuzz::sync
