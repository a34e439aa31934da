// SPDX-License-Identifier: Apache-2.0
// Report: a Finding rendered for people (lockdep-shaped text) and for tools (JSON). The Finding
// is the record; these are views of it (STYLE.md G10). Layout of the text, top to bottom:
//
//   ==== hvfuzz: <kind> ====                     headline of our own, never lockdep's wording
//   <headline>
//   <kind section>    lock-order-cycle: "task tN wants" / "while holding" / the order already
//                     recorded (newest first) and the edge that closes the cycle / "possible
//                     unsafe locking scenario" with one column per task of the cycle;
//                     deadlock, watchdog-hang: the wait-for cycle; every task's wait and held
//                     locks; other kinds: what the task did, where, and what it held
//   interleaving ...  the recorded steps in one column per task, "<- blocks" where one waited
//   held: t0=[...] t1=[...]
//   program:          the canonical program text, when the Finding carries one
//   replay: <crash file> seed=0x... strategy=...
//   SUMMARY: hvfuzz: <title>                     always the last line
//
// Frames read innermost first: "kvm_xen_set_evtchn <- kvm_xen_hcall_evtchn_send". Locks read
// "<class> [<instance>] (<mode>)", e.g. "&kvm->srcu [vm0] (read)".
//
// Contract: pure functions of the Finding: no I/O, no global state, byte-identical output for
// equal Findings (golden tests in fuzz/check/testdata/ rely on it). Safe from any thread.
// Cost: linear in the size of the Finding; they allocate freely (they run once per finding).
#pragma once

#include <string>

#include "fuzz/check/finding.h"

namespace hvfuzz::check {

// The human report described above, ending in "SUMMARY: hvfuzz: <title>\n".
std::string RenderText(const Finding& finding);

// How a lock's acquisition mode is spelled after its class in reports, as lockdep does: "" for
// mutexes, spinlocks and exclusive lockdep maps, " (read)", " (recursive read)", " (write)",
// and " (sync)" for an SRCU grace-period wait. Also used by triage's pictures.
std::string LockModeSuffix(const LockRef& r);

// Every field of `finding` plus "signature", as one JSON object with a fixed key order:
// kind, title, signature, headline, task, task_name, site, frames, acquiring, invariant, cycle,
// tasks, interleaving, replay. Absent optionals are null; the seed is a hex string ("0x5eed")
// so 64-bit values survive JavaScript readers. Strings are escaped per RFC 8259 (control
// characters as \u00XX; other bytes pass through, so the output is UTF-8 when the input is).
// Two-space indentation, one interleaving step per line; ends with a newline.
std::string RenderJson(const Finding& finding);

}  // namespace hvfuzz::check
