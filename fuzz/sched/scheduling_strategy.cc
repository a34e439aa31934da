// SPDX-License-Identifier: Apache-2.0
#include "fuzz/sched/scheduling_strategy.h"

#include <array>
#include <utility>

#include "fuzz/sched/pct_strategy.h"
#include "fuzz/sched/random_strategy.h"
#include "fuzz/sched/replay_strategy.h"
#include "fuzz/sched/schedule_bytes_strategy.h"

namespace hvfuzz::sched {
namespace {

using Factory = std::unique_ptr<SchedulingStrategy> (*)(const ScheduleOptions&);

struct Entry {
  std::string_view name;
  Factory create;
  bool takes_schedule_bytes;
};

constexpr std::array<Entry, 3> kStrategies = {{
    {"random",
     [](const ScheduleOptions& o) -> std::unique_ptr<SchedulingStrategy> {
       return std::make_unique<RandomStrategy>(o.seed);
     },
     true},
    {"pct",
     [](const ScheduleOptions& o) -> std::unique_ptr<SchedulingStrategy> {
       return std::make_unique<PctStrategy>(o.seed, o.pct_depth, o.pct_steps);
     },
     true},
    {"replay",
     [](const ScheduleOptions& o) -> std::unique_ptr<SchedulingStrategy> {
       return std::make_unique<ReplayStrategy>(o.replay);
     },
     false},
}};

constexpr std::array<std::string_view, kStrategies.size()> kNames = {
    kStrategies[0].name, kStrategies[1].name, kStrategies[2].name};

}  // namespace

std::span<const std::string_view> StrategyNames() { return kNames; }

std::unique_ptr<SchedulingStrategy> CreateStrategy(const ScheduleOptions& options) {
  for (const Entry& e : kStrategies) {
    if (e.name != options.strategy) continue;
    std::unique_ptr<SchedulingStrategy> s = e.create(options);
    if (e.takes_schedule_bytes && !options.schedule_bytes.empty()) {
      s = std::make_unique<ScheduleBytesStrategy>(options.schedule_bytes, std::move(s));
    }
    return s;
  }
  return nullptr;
}

}  // namespace hvfuzz::sched
