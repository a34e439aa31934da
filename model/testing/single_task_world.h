// SPDX-License-Identifier: Apache-2.0
// SingleTaskWorld: a World driven by one task on the calling thread (SingleTaskRuntime), with a
// ModelObserver, for unit tests of operations that need no second task. A wait that would
// block throws sync::TaskKilled (SingleTaskRuntime), so a test sees a hang as an exception.
// Test-only.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <cstdio>
#include <string_view>

#include "model/operations.h"
#include "model/sync/single_task_runtime.h"
#include "model/testing/model_observer.h"
#include "model/world.h"

namespace hvfuzz::model::testing {

class SingleTaskWorld {
 public:
  explicit SingleTaskWorld(const WorldConfig& config = {}, const BugSwitches& bugs = {},
                           const FaultInjection& fault = {})
      : runtime_(observer_), world_(config, bugs, fault) {}

  // Runs operation `name` with `args`; aborts the test binary for an unknown name.
  int Run(std::string_view name, uint32_t a0 = 0, uint32_t a1 = 0, uint32_t a2 = 0,
          uint32_t a3 = 0) {
    std::optional<uint16_t> op = FindOperation(name);
    if (!op) {
      std::fprintf(stderr, "unknown operation %.*s\n", static_cast<int>(name.size()),
                   name.data());
      std::abort();
    }
    return Execute(world_, OpCall{*op, {a0, a1, a2, a3}});
  }

  World& world() { return world_; }
  ModelObserver& observer() { return observer_; }
  sync::Task& task() { return runtime_.task(); }

 private:
  ModelObserver observer_;
  sync::SingleTaskRuntime runtime_;
  World world_;
};

}  // namespace hvfuzz::model::testing
