// SPDX-License-Identifier: Apache-2.0
#include "fuzz/sched/internal/fiber_stack.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#if defined(HVFUZZ_ASAN)
#include <sanitizer/asan_interface.h>
#include <sanitizer/common_interface_defs.h>
#endif

namespace hvfuzz::sched::internal {
namespace {

size_t PageSize() {
  static const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  return page;
}

FiberStack MapStack() {
  const size_t guard = PageSize();
  const size_t total = kFiberStackSize + guard;
  void* p = mmap(nullptr, total, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);
  // The guard page sits below the stack because x86-64 stacks grow down.
  if (p == MAP_FAILED || mprotect(p, guard, PROT_NONE) != 0) {
    std::fprintf(stderr, "hvfuzz: internal error: cannot map a %zu-byte fiber stack\n", total);
    std::abort();
  }
  FiberStack s;
  s.mapping = p;
  s.mapping_size = total;
  s.bottom = static_cast<char*>(p) + guard;
  s.size = kFiberStackSize;
  return s;
}

// ASan has no call that frees a fake stack other than a fiber leaving for good, so this
// pretends to be one: the pooled fake stack becomes the thread's current one for the moment it
// takes to "leave" it (start_switch_fiber with a null slot destroys the current fake stack),
// then the thread's own is put back. No switch of stacks happens: the first pair gives ASan
// empty bounds and reports the real ones, which the second pair restores; nothing instrumented
// runs in between, so the empty bounds are never consulted.
void DestroyFakeStack(FiberStack& s) {
#if defined(HVFUZZ_ASAN)
  if (s.asan_fake_stack == nullptr) return;
  void* current = nullptr;
  const void* bottom = nullptr;
  size_t size = 0;
  __sanitizer_start_switch_fiber(&current, nullptr, 0);
  __sanitizer_finish_switch_fiber(s.asan_fake_stack, &bottom, &size);
  __sanitizer_start_switch_fiber(nullptr, bottom, size);  // destroys s.asan_fake_stack
  __sanitizer_finish_switch_fiber(current, nullptr, nullptr);
  s.asan_fake_stack = nullptr;
#else
  (void)s;
#endif
}

void UnmapStack(FiberStack& s) {
  DestroyFakeStack(s);
  munmap(s.mapping, s.mapping_size);
}

}  // namespace

StackPool& StackPool::ForThisThread() {
  static thread_local StackPool pool;
  return pool;
}

StackPool::~StackPool() {
  for (FiberStack& s : free_) UnmapStack(s);
}

FiberStack StackPool::Acquire() {
  if (free_.empty()) return MapStack();
  FiberStack s = free_.back();
  free_.pop_back();
  return s;
}

void StackPool::Release(FiberStack stack) {
#if defined(HVFUZZ_ASAN)
  __asan_unpoison_memory_region(stack.bottom, stack.size);
#endif
  if (free_.size() >= kMaxPooled) {
    UnmapStack(stack);
    return;
  }
  free_.push_back(stack);
}

}  // namespace hvfuzz::sched::internal
