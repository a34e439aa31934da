// SPDX-License-Identifier: Apache-2.0
// World: one host running KVM, as the model sees it: the global state (vm_list, kvm_lock,
// kvm_usage_lock, cpu_hotplug_lock, the lockdep maps of reclaim and MMU notifiers, module
// parameters), and a fixed number of VM slots, each with its vCPUs, memslots, host memory (the
// VMM's mm), gfn_to_pfn caches and Xen state. Operations (operations.h) run on it from model
// tasks; Execute() is the only entry point.
//
// Contract: fully deterministic given the same operations and schedule: no globals besides
// static LockClass objects, no time, no addresses in decisions. A World is built outside any
// model task (its constructor takes no locks: it sets up the initial shape directly) and must
// outlive every task that runs operations on it. No internal locking beyond the model's own
// locks. Construction costs a few microseconds (all lock objects of all VM slots up front, so
// that no lock object is ever destroyed while a detector may still refer to it).
#pragma once

#include <array>
#include <cstdint>
#include <memory>

#include "model/bug_switches.h"
#include "model/fault_injection.h"

namespace hvfuzz::model {

// Shape limits. WorldConfig values above them are clamped.
inline constexpr int kMaxVms = 3;        // VM slots (vm arguments 0..2)
inline constexpr int kMaxVcpus = 4;      // vCPUs per VM (vcpu arguments 0..3)
inline constexpr int kMaxMemslots = 8;   // memslot ids 0..7, one address space
inline constexpr int kMaxGpcs = 4;       // generic gfn_to_pfn caches per VM
inline constexpr int kSlotStride = 16;   // slot s owns hva pages [16s, 16s+16)
inline constexpr int kMaxSlotPages = 8;  // pages per memslot
inline constexpr int kGfnLimit = 128;    // guest physical pages
inline constexpr int kHvaPages = kMaxMemslots * kSlotStride;  // VMM address space, in pages
inline constexpr int kHostCpus = 2;      // host CPUs (hotplug, cpufreq, vcpu->cpu)

struct WorldConfig {
  uint8_t vms = 1;       // 1..kMaxVms VMs exist (fds open) when the run starts
  uint8_t vcpus = 2;     // 1..kMaxVcpus vCPUs per VM exist when the run starts
  uint8_t memslots = 2;  // 0..kMaxMemslots: slot i (i < memslots) starts at gfn 16i, 8 pages,
                         // hva page 16i
  uint8_t gpcs = 1;      // 0..kMaxGpcs generic gfn_to_pfn caches per VM usable by gpc.* ops
  bool xen = true;       // KVM_XEN_HVM_CONFIG already done for every initial VM
};

class Kvm;
class KvmGlobal;

class World {
 public:
  World(const WorldConfig& config, const BugSwitches& bugs, const FaultInjection& fault);
  ~World();
  World(const World&) = delete;
  World& operator=(const World&) = delete;

  const WorldConfig& config() const { return config_; }
  const BugSwitches& bugs() const { return bugs_; }
  FaultInjector& faults() { return faults_; }
  KvmGlobal& global() { return *global_; }
  // VM slot `i` (0 <= i < kMaxVms); whether a VM lives there is the slot's own state.
  Kvm& vm(int i) { return *vms_[i]; }

 private:
  WorldConfig config_;
  BugSwitches bugs_;
  FaultInjector faults_;
  std::unique_ptr<KvmGlobal> global_;
  std::array<std::unique_ptr<Kvm>, kMaxVms> vms_;
};

}  // namespace hvfuzz::model
