// SPDX-License-Identifier: Apache-2.0
// The few calls the model makes about its own state rather than about a primitive:
// returning to user space (the one boundary where leaked locks are checked) and reporting a
// broken model invariant. Both go to the current task's observer; neither prints.
#pragma once

#include <string_view>

#include "model/sync/site.h"

namespace hvfuzz::sync {

// The current operation (ioctl, notifier callback, work item) returns to its caller.
void ReturnToUser(std::string_view operation);

// A model invariant failed: `invariant` is its stable name (part of the signature), `detail`
// the instance-specific explanation.
void ReportInvariantViolation(std::string_view invariant, std::string_view detail,
                              Site site = Site::Here());

}  // namespace hvfuzz::sync
