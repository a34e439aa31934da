// SPDX-License-Identifier: Apache-2.0
// Fiber: a user-space thread of execution for the controlled scheduler: one model task runs on
// one fiber, and a switch between two fibers is a function call's worth of work instead of an
// OS thread handoff (2-9 ns vs ~20 µs on the 2-core dev VM, see below and toolchain.md §2).
//
// Backend (CMake HVFUZZ_FIBER): "asm", the own x86-64 switch, is the default. Measured with
// bench/sched_bench.cc (release, clang-14, the 2-core dev VM, both backends in one binary):
//                                                   asm       fcontext (boost 1.74)
//   raw switch, two contexts in the same loop       1.8 ns    4.6 ns
//   raw ping-pong, two different loops (§1a setup)  8.5 ns    4.7 ns
//   scheduling point that switches (whole scheduler
//   built with each, BM_SchedulingPointReplay)      9.6 ns    24 ns
// Tasks always switch from the same call sites, and the asm switch ends in `ret`, so the
// return-stack predictor guesses every return on the way up right. fcontext ends in pop+jmp,
// which leaves that predictor one entry out of step: every return above the switch
// mispredicts (an asm variant ending in pop+jmp measured 18 ns per point). toolchain.md §1a's
// ping-pong, with different code on the two sides, shows the opposite order. asm also needs
// no Boost, which OSS-Fuzz's libc++ builds would otherwise have to provide. fcontext stays
// selectable (HVFUZZ_FIBER=fcontext; it also saves MXCSR/x87 control, which models never set).
//
// Sanitizers (docs/toolchain.md §1b, §1c), all inside SwitchTo/ExitTo:
//  * ASan (HVFUZZ_ASAN): __sanitizer_start_switch_fiber before and
//    __sanitizer_finish_switch_fiber after every switch. A fiber's last switch saves its fake
//    stack (detect_stack_use_after_return's frames) with its pooled stack instead of letting
//    ASan free it, and a new fiber adopts the fake stack its stack kept: ASan would otherwise
//    map and unmap one per fiber (fiber_stack.h).
//  * TSan (HVFUZZ_TSAN): one TSan fiber per Fiber, created after the context is set up
//    (creation is a happens-before edge creator -> fiber) and destroyed with the Fiber, never
//    pooled (pooled TSan fibers slow down and eventually stall). Switches between two fibers
//    are __tsan_switch_to_fiber_no_sync, so that only the model's primitives order tasks;
//    switches to or from the thread's own stack (the scheduler's home) synchronize, and a
//    fiber's first instruction acquires what that stack released when it last left (a fiber
//    may first run long after its creation, started by another fiber). A fiber's final switch
//    releases the Fiber, and ~Fiber acquires it: everything the fiber did happens before its
//    destruction, whichever fiber it finished into. No instrumented function may return
//    between __tsan_switch_to_fiber and the jump (it would pop the target's shadow call
//    stack), so the hooks and the backend's jump are always inlined into SwitchTo/ExitTo.
//
// Contract: not thread-safe; all fibers of a thread are created, switched and destroyed on
// that thread. SwitchTo/ExitTo must be called on the running fiber. A fiber's entry returns the
// fiber to continue with; the Fiber then makes its final switch there (its frames are gone by
// then). Destroying a fiber that started and has not finished is a harness bug (abort): its
// frames would never be unwound. Stacks come from StackPool (mmap'd, guard page, reused).
// Cost: SwitchTo is the backend's switch plus one thread-local store (plus the hooks in
// sanitizer builds); creating a fiber takes a pooled stack and writes its first frame.
#pragma once

#include <cstddef>

#include "fuzz/sched/internal/fiber_stack.h"

namespace hvfuzz::sched {

class Fiber {
 public:
  // What a fiber runs. Returns the fiber to switch to when done (never itself).
  using Entry = Fiber& (*)(void* arg);

  // Stands for the calling thread's own stack: the context a scheduler starts from and returns
  // to. Never started or exited; destroying it does nothing.
  Fiber();
  // A fiber that runs entry(arg) when first switched to. `name` (may be null) labels the TSan
  // fiber in race reports; it is copied.
  Fiber(Entry entry, void* arg, const char* name = nullptr);
  ~Fiber();
  Fiber(const Fiber&) = delete;
  Fiber& operator=(const Fiber&) = delete;

  // Suspends this (running) fiber and resumes `to`; returns when some fiber switches back.
  void SwitchTo(Fiber& to);

  bool is_thread() const { return is_thread_; }
  // True once the fiber ran its first instruction.
  bool started() const { return __atomic_load_n(&started_, __ATOMIC_RELAXED); }
  // True once the fiber made its final switch.
  bool finished() const { return __atomic_load_n(&finished_, __ATOMIC_RELAXED); }

  // The fiber running on this thread, or nullptr before the first switch.
  static Fiber* Current();
  // The switch backend this build uses: "asm" or "fcontext".
  static const char* BackendName();

 private:
  friend struct FiberAccess;

  [[noreturn]] void ExitTo(Fiber& to);
  // Sanitizer halves of a switch; `leaving` = this fiber will never run again.
  void BeforeSwitch(Fiber& to, bool leaving, void** fake_stack);
  static void AfterSwitch(void* fake_stack, void* from_context, Fiber* from);

  // The suspended context (asm: stack pointer; fcontext: fcontext_t). Written by the fiber
  // itself (asm) or by the fiber it resumed (fcontext), read by the next fiber switching here:
  // relaxed atomics, since fibers do not synchronize with each other under TSan.
  void* context_ = nullptr;
  Entry entry_ = nullptr;
  void* arg_ = nullptr;
  internal::FiberStack stack_;
  bool is_thread_ = false;
  bool started_ = false;
  bool finished_ = false;
  // ASan: bounds of the stack this fiber runs on (learned on the first switch away from it
  // for the thread's own stack).
  const void* stack_bottom_ = nullptr;
  size_t stack_size_ = 0;
  // TSan: this fiber's TSan thread state.
  void* tsan_fiber_ = nullptr;
};

}  // namespace hvfuzz::sched
