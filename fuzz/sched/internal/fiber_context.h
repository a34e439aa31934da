// SPDX-License-Identifier: Apache-2.0
// The two context-switch backends behind Fiber (fiber.h explains the choice): the own x86-64
// switch (fiber_switch_x86_64.S) and boost.context's low-level fcontext. Both are two calls:
// Make (prepare a stack to run a start function) and Jump (suspend here, resume another).
//
// Contract: no sanitizer hooks and no bookkeeping here; Fiber adds them. Jump is always inlined:
// under TSan, an instrumented function entered after __tsan_switch_to_fiber and left after the
// jump would push onto one fiber's shadow call stack and pop from another's. Jump passes `arg` to
// the resumed side. The asm switch stores the suspended context itself (into *save); fcontext
// only tells the resumed side where the suspended context is (Transfer::from_context), and the
// resumed side must store it (kResumedSavesFrom). Cost: asm 14 instructions; fcontext ~20
// (it also saves MXCSR and the x87 control word).
#pragma once

#include <cstddef>
#include <cstdint>

#if defined(HVFUZZ_HAVE_FCONTEXT)
#include <boost/context/detail/fcontext.hpp>
#endif

extern "C" {
void* hvfuzz_asm_jump(void** save, void* to, void* arg);
void hvfuzz_asm_trampoline();
}

namespace hvfuzz::sched::internal {

// What a resumed context learns from the jump that resumed it.
struct Transfer {
  void* from_context;  // fcontext: the suspended context of the jumper; asm: nullptr
  void* arg;
};
// A context's first function; receives the Transfer of the first jump. Never returns.
using ContextStart = void (*)(Transfer);

struct AsmContext {
  static constexpr bool kResumedSavesFrom = false;
  static constexpr const char* kName = "asm";

  static void* Make(void* stack_top, size_t /*size*/, ContextStart start) {
    // Initial frame, as hvfuzz_asm_jump pops it: r15 r14 r13 r12 rbx rbp, return address.
    // 72 bytes below a 16-aligned top, so that the trampoline's call sees an aligned stack.
    auto top = reinterpret_cast<uintptr_t>(stack_top) & ~uintptr_t{15};
    void** sp = reinterpret_cast<void**>(top - 72);
    for (int i = 0; i < 9; ++i) sp[i] = nullptr;
    sp[3] = reinterpret_cast<void*>(start);  // r12: the trampoline calls it
    sp[6] = reinterpret_cast<void*>(&hvfuzz_asm_trampoline);
    return sp;
  }
  [[gnu::always_inline]] static Transfer Jump(void** save, void* to, void* arg) {
    return Transfer{nullptr, hvfuzz_asm_jump(save, to, arg)};
  }
};

#if defined(HVFUZZ_HAVE_FCONTEXT)
struct FcontextContext {
  static constexpr bool kResumedSavesFrom = true;
  static constexpr const char* kName = "fcontext";
  using BoostTransfer = boost::context::detail::transfer_t;
  // Transfer and transfer_t are both two pointers passed in rdi/rsi, so a ContextStart is a
  // valid fcontext start function.
  static_assert(sizeof(Transfer) == sizeof(BoostTransfer) &&
                offsetof(Transfer, arg) == offsetof(BoostTransfer, data));

  static void* Make(void* stack_top, size_t size, ContextStart start) {
    return boost::context::detail::make_fcontext(stack_top, size,
                                                 reinterpret_cast<void (*)(BoostTransfer)>(start));
  }
  [[gnu::always_inline]] static Transfer Jump(void** /*save*/, void* to, void* arg) {
    BoostTransfer t = boost::context::detail::jump_fcontext(to, arg);
    return Transfer{t.fctx, t.data};
  }
};
#endif

#if defined(HVFUZZ_FIBER_FCONTEXT)
using Context = FcontextContext;
#else
using Context = AsmContext;
#endif

}  // namespace hvfuzz::sched::internal
