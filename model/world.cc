// SPDX-License-Identifier: Apache-2.0
#include "model/world.h"

#include <algorithm>

#include "model/kvm.h"
#include "model/kvm_global.h"

namespace hvfuzz::model {
namespace {

WorldConfig Clamp(WorldConfig c) {
  c.vms = static_cast<uint8_t>(std::clamp<int>(c.vms, 1, kMaxVms));
  c.vcpus = static_cast<uint8_t>(std::clamp<int>(c.vcpus, 1, kMaxVcpus));
  c.memslots = static_cast<uint8_t>(std::min<int>(c.memslots, kMaxMemslots));
  c.gpcs = static_cast<uint8_t>(std::min<int>(c.gpcs, kMaxGpcs));
  return c;
}

}  // namespace

World::World(const WorldConfig& config, const BugSwitches& bugs, const FaultInjection& fault)
    : config_(Clamp(config)), bugs_(bugs), faults_(fault), global_(std::make_unique<KvmGlobal>()) {
  for (int i = 0; i < kMaxVms; ++i) vms_[i] = std::make_unique<Kvm>(*this, i);
  global_->InitForWorld();
  for (int i = 0; i < kMaxVms; ++i) vms_[i]->InitForWorld(config_, i < config_.vms);
}

World::~World() = default;

}  // namespace hvfuzz::model
