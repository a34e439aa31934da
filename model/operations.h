// SPDX-License-Identifier: Apache-2.0
// Operations: the model's entry points, one per user-space-visible event (an ioctl, a guest
// exit inside KVM_RUN, an mm event that calls the MMU notifier, a CPU-hotplug or cpufreq
// transition, a module-parameter write). Programs are lists of OpCalls; the op table is what
// the decoder, the text form and model/OPERATIONS.md are built from.
//
// Contract: Operations() is a constant table in a stable order; the index is the op code.
// Operation and argument names are a compatibility contract (stored programs spell them):
// add new operations at the end, never rename. Argument values are taken modulo (max+1) by
// the decoder, and Execute() accepts any value (out-of-range ones give -EINVAL/-EBADF, as the
// kernel would). Execute() runs on the calling model task, returns 0 or -errno, and returns to
// "user space" through one boundary that calls sync::ReturnToUser(op name), where held locks
// are checked. It never throws, except sync::TaskKilled passing through when the backend
// unwinds the task. Cost: no allocation per operation besides what the primitives do.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace hvfuzz::model {

class World;

inline constexpr int kMaxOpArgs = 4;

struct ArgSpec {
  std::string_view name;  // "slot"
  uint32_t max;           // values are taken modulo (max+1) by the decoder
  std::string_view help;
};

struct OpSpec {
  std::string_view name;      // "memslot.set" — a compatibility contract
  std::string_view upstream;  // "kvm_vm_ioctl_set_memory_region"
  std::string_view slice;     // "memslots"|"mmu"|"gpc"|"xen"|"global"|"vm": the fuzz target that
                              // includes it (the "vm" target includes every op)
  uint8_t nargs;
  std::array<ArgSpec, kMaxOpArgs> args;
  std::string_view locks;     // one line: the locks it takes, in order
  std::string_view doc;       // one line: what the operation is (ioctl, exit, mm event)
};

// Stable order; index = op code.
std::span<const OpSpec> Operations();
std::optional<uint16_t> FindOperation(std::string_view name);

// OpCall::fail_nth: 0 = no per-call fault; n = the n-th fallible step (allocation, arch
// prepare, killable wait; model/fault_injection.h) the calling task takes inside this call
// fails. "fail" is therefore never an argument name (the text form spells it `fail=n`).
inline constexpr uint8_t kMaxOpFailNth = 15;

struct OpCall {
  uint16_t op = 0;
  std::array<uint32_t, kMaxOpArgs> args{};
  uint8_t fail_nth = 0;
};

// Runs one operation on the calling model task, with call.fail_nth armed on that task for
// the duration of the call. Returns 0 or -errno.
int Execute(World& world, const OpCall& call);

}  // namespace hvfuzz::model
