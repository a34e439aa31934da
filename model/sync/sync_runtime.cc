// SPDX-License-Identifier: Apache-2.0
#include "model/sync/sync_runtime.h"

namespace hvfuzz::sync {

const char* SchedulingPointName(SchedulingPoint point) {
  switch (point) {
    case SchedulingPoint::kAcquire: return "acquire";
    case SchedulingPoint::kRelease: return "release";
    case SchedulingPoint::kWait: return "wait";
    case SchedulingPoint::kWake: return "wake";
    case SchedulingPoint::kYield: return "yield";
    case SchedulingPoint::kThreadStart: return "thread-start";
    case SchedulingPoint::kThreadExit: return "thread-exit";
  }
  return "?";
}

}  // namespace hvfuzz::sync
