// SPDX-License-Identifier: Apache-2.0
// Bug switches: the historical KVM locking bugs of docs/kvm-locking.md section D, each a named
// runtime switch that puts back the smallest code change the bug made (DESIGN.md, Bug
// switches). All are off by default: the default model is fixed upstream and must run clean.
//
// Contract: names are a compatibility contract (fuzz campaigns and regression tests spell
// them). Campaigns choose switches on the command line or in the environment, never from input
// bytes. Plain data, safe to copy and share; BugSwitchTable() is a constant table.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace hvfuzz::model {

enum class BugSwitch : uint8_t {
  kXenEvtchnKvmLock,      // "xen-evtchn-kvm-lock"     D.1
  kKvmLockSlotsLock,      // "kvm-lock-slots-lock"     D.2
  kMnSlotsRwsem,          // "mn-slots-rwsem"          D.3
  kGpcRefreshRace,        // "gpc-refresh-race"        D.4a
  kGpcDeactivateRace,     // "gpc-deactivate-race"     D.4b
  kSlotsArchLockLeak,     // "slots-arch-lock-leak"    D.5a
  kMemslotArchCopyOrder,  // "memslot-arch-copy-order" D.5b
};
inline constexpr int kNumBugSwitches = 7;

struct BugSwitches {
  bool xen_evtchn_kvm_lock = false;
  bool kvm_lock_slots_lock = false;
  bool mn_slots_rwsem = false;
  bool gpc_refresh_race = false;
  bool gpc_deactivate_race = false;
  bool slots_arch_lock_leak = false;
  bool memslot_arch_copy_order = false;

  bool Get(BugSwitch s) const;
  void Set(BugSwitch s, bool on);
  // Sets the switch called `name`; false (and no change) for an unknown name.
  bool Set(std::string_view name, bool on);
  bool any() const;
  // The switch called `name` ("gpc-refresh-race"), or nullopt.
  static std::optional<BugSwitch> FromName(std::string_view name);
};

struct BugSwitchInfo {
  BugSwitch id;
  std::string_view name;         // "xen-evtchn-kvm-lock"
  std::string_view section;      // "D.1"
  std::string_view introduced;   // "2fd6df2f2b47 KVM: x86/xen: intercept EVTCHNOP_send from guests"
  std::string_view fixed;        // "310bc39546a4 KVM: x86/xen: Avoid deadlock by adding ..."
  std::string_view description;  // one line: what the switch puts back
  std::string_view site;         // the model function that carries the switch
};

// One row per switch, in BugSwitch order.
std::span<const BugSwitchInfo> BugSwitchTable();

}  // namespace hvfuzz::model
