// SPDX-License-Identifier: Apache-2.0
#include "fuzz/sched/fiber.h"

#include <atomic>
#include <cstdio>
#include <cstdlib>

#include "fuzz/sched/internal/fiber_context.h"

#if defined(HVFUZZ_ASAN)
#include <sanitizer/common_interface_defs.h>
#endif
#if defined(HVFUZZ_TSAN)
#include <sanitizer/tsan_interface.h>
#endif

namespace hvfuzz::sched {
namespace {

using internal::Context;
using internal::Transfer;

// The fiber running on this thread. A new fiber reads it to find itself, and the reads and
// writes come from different fibers with no happens-before between them under TSan: relaxed.
thread_local std::atomic<Fiber*> t_current{nullptr};

#if defined(HVFUZZ_TSAN)
// Released by the thread's own stack whenever it switches to a fiber, acquired by every fiber
// as its first act. A fiber may first run long after its creation, started by another fiber
// (no-sync switch); this edge gives it everything the thread set up before it left its own
// stack (the other fibers' records included), and nothing from the fibers themselves.
thread_local char t_thread_stack_sync;
#endif

[[noreturn]] void InternalError(const char* what) {
  std::fprintf(stderr, "hvfuzz: internal error: %s\n", what);
  std::abort();
}

}  // namespace

struct FiberAccess {
  // First function of every fiber (the backend's ContextStart).
  [[noreturn]] static void Start(Transfer t) {
    Fiber* self = t_current.load(std::memory_order_relaxed);
#if defined(HVFUZZ_TSAN)
    // Before AfterSwitch, which (fcontext) writes the switching fiber's record: that record
    // may have been set up after this fiber's creation.
    __tsan_acquire(&t_thread_stack_sync);
#endif
    // ASan: the fiber adopts the fake stack its stack kept from the last fiber there (null for
    // a new stack: ASan then makes one on first use).
    Fiber::AfterSwitch(self->stack_.asan_fake_stack, t.from_context, static_cast<Fiber*>(t.arg));
    __atomic_store_n(&self->started_, true, __ATOMIC_RELAXED);
    Fiber& next = self->entry_(self->arg_);
    if (&next == self) InternalError("a fiber's entry returned the fiber itself");
    self->ExitTo(next);
  }
};

Fiber::Fiber() : is_thread_(true) {
#if defined(HVFUZZ_TSAN)
  tsan_fiber_ = __tsan_get_current_fiber();
#endif
}

Fiber::Fiber(Entry entry, void* arg, const char* name)
    : entry_(entry), arg_(arg), stack_(internal::StackPool::ForThisThread().Acquire()) {
  stack_bottom_ = stack_.bottom;
  stack_size_ = stack_.size;
  // Successive fibers start at different offsets within a page. Fibers switch at the same
  // depth of the same code, so with equal offsets the registers pushed on one stack and popped
  // from the next would sit 4 KiB apart: the CPU's 4K-aliasing check then makes every pop
  // wait for the pushes (measured: bare switch 2.2 ns staggered vs up to 7 ns aligned).
  static thread_local unsigned color = 0;
  const size_t stagger = (color++ % 15) * 256;
  context_ = Context::Make(static_cast<char*>(stack_.top()) - stagger, stack_.size - stagger,
                           &FiberAccess::Start);
#if defined(HVFUZZ_TSAN)
  // Created only now that the context is written: creation is the happens-before edge that
  // lets the new fiber read its first frame and everything its creator set up.
  tsan_fiber_ = __tsan_create_fiber(0);
  if (name != nullptr) __tsan_set_fiber_name(tsan_fiber_, name);
#else
  (void)name;
#endif
}

Fiber::~Fiber() {
  if (is_thread_) return;
  if (started() && !finished()) InternalError("a suspended fiber was destroyed");
#if defined(HVFUZZ_TSAN)
  // Pairs with the release in BeforeSwitch(leaving): the fiber's accesses, its stack's
  // included, happen before the stack goes back to the pool and is handed to a new fiber.
  __tsan_acquire(this);
  __tsan_destroy_fiber(tsan_fiber_);
#endif
  internal::StackPool::ForThisThread().Release(stack_);
}

Fiber* Fiber::Current() { return t_current.load(std::memory_order_relaxed); }

const char* Fiber::BackendName() { return Context::kName; }

// Always inlined into SwitchTo/ExitTo: under TSan, a function entered before
// __tsan_switch_to_fiber and left after it would pop the target fiber's shadow call stack
// (an underflow on a fiber's first run).
[[gnu::always_inline]] inline void Fiber::BeforeSwitch(Fiber& to, bool leaving, void** fake_stack) {
#if defined(HVFUZZ_ASAN)
  // A leaving fiber passes its stack's slot, not null (which would make ASan free the fake
  // stack): the next fiber on this stack adopts it (fiber_stack.h).
  __sanitizer_start_switch_fiber(fake_stack, to.stack_bottom_, to.stack_size_);
#else
  (void)fake_stack;
#endif
#if defined(HVFUZZ_TSAN)
  if (leaving) __tsan_release(this);
  if (is_thread_) __tsan_release(&t_thread_stack_sync);
  // Fiber-to-fiber switches must not order the tasks (that would hide every race); switches
  // with the thread's own stack do, so the scheduler's setup and teardown are ordered.
  __tsan_switch_to_fiber(to.tsan_fiber_,
                         (is_thread_ || to.is_thread_) ? 0 : __tsan_switch_to_fiber_no_sync);
#endif
  (void)to;
  (void)leaving;
}

void Fiber::AfterSwitch(void* fake_stack, void* from_context, Fiber* from) {
#if defined(HVFUZZ_ASAN)
  const void* bottom = nullptr;
  size_t size = 0;
  __sanitizer_finish_switch_fiber(fake_stack, &bottom, &size);
  // The thread's own stack has no known bounds until we leave it for the first time.
  if (from->is_thread_) {
    from->stack_bottom_ = bottom;
    from->stack_size_ = size;
  }
#else
  (void)fake_stack;
#endif
  if constexpr (Context::kResumedSavesFrom) {
    __atomic_store_n(&from->context_, from_context, __ATOMIC_RELAXED);
  }
  (void)from_context;
  (void)from;
}

void Fiber::SwitchTo(Fiber& to) {
  void* fake_stack = nullptr;
  // Read the target before the TSan switch: TSan attributes every access after it to `to`.
  void* target = __atomic_load_n(&to.context_, __ATOMIC_RELAXED);
  t_current.store(&to, std::memory_order_relaxed);
  // Nothing but the jump may follow the TSan switch inside BeforeSwitch (see there).
  BeforeSwitch(to, /*leaving=*/false, &fake_stack);
  Transfer t = Context::Jump(&context_, target, this);
  AfterSwitch(fake_stack, t.from_context, static_cast<Fiber*>(t.arg));
}

void Fiber::ExitTo(Fiber& to) {
  __atomic_store_n(&finished_, true, __ATOMIC_RELAXED);
  void* target = __atomic_load_n(&to.context_, __ATOMIC_RELAXED);
  t_current.store(&to, std::memory_order_relaxed);
  BeforeSwitch(to, /*leaving=*/true, &stack_.asan_fake_stack);
  Context::Jump(&context_, target, this);
  InternalError("a finished fiber was resumed");
}

}  // namespace hvfuzz::sched
