// SPDX-License-Identifier: Apache-2.0
// FiberStack and StackPool: the memory fibers run on. A stack is an mmap'd region whose lowest
// page is PROT_NONE, so an overflow faults at once instead of corrupting the neighbour. Stacks
// are expensive to map and cheap to keep, so a per-thread pool hands them out again: a fuzzing
// process runs millions of short runs with a handful of tasks each.
//
// Contract: a stack is used by one fiber at a time; the pool is per OS thread (no locking),
// and a stack must be released on the thread that acquired it. Pages a fiber touched stay
// resident while the stack is pooled (MAP_NORESERVE: untouched pages cost nothing). Under ASan
// a released stack is unpoisoned, because frames that never returned (a fiber's entry frame)
// leave redzones behind that the next fiber on the same stack would trip over. TSan shadow is
// not reset: a stack is only reused after its old fiber's final switch happened before the new
// fiber's creation (see fiber.h), so the old accesses cannot race with the new ones.
// Cost: Acquire/Release from the pool are O(1) with no system call.
#pragma once

#include <cstddef>
#include <vector>

namespace hvfuzz::sched::internal {

// Usable bytes per fiber stack. Model code is shallow, but ASan builds triple frame sizes and
// gtest assertions inside task bodies are not small.
inline constexpr size_t kFiberStackSize = 256 * 1024;

struct FiberStack {
  void* mapping = nullptr;  // start of the mmap'd region (the guard page)
  size_t mapping_size = 0;
  void* bottom = nullptr;  // lowest usable address
  size_t size = 0;         // usable bytes, from `bottom` up
  // ASan: the fake stack of the last fiber that ran here (null when ASan made none: UAR
  // detection off, or no fiber ran). A frame a finished fiber never returned from would stay
  // allocated in it; fiber_fake_stack_test checks that 5,000 fibers in a row still get frames.
  void* asan_fake_stack = nullptr;

  void* top() const { return static_cast<char*>(bottom) + size; }
  explicit operator bool() const { return mapping != nullptr; }
};

class StackPool {
 public:
  // The calling thread's pool.
  static StackPool& ForThisThread();

  StackPool() = default;
  ~StackPool();
  StackPool(const StackPool&) = delete;
  StackPool& operator=(const StackPool&) = delete;

  // A stack of kFiberStackSize usable bytes: a pooled one, or a fresh mapping. Aborts with
  // "hvfuzz: internal error" when the system refuses the mapping.
  FiberStack Acquire();
  // Returns `stack` to the pool (or unmaps it when the pool is full).
  void Release(FiberStack stack);

  size_t pooled() const { return free_.size(); }

 private:
  static constexpr size_t kMaxPooled = 256;
  std::vector<FiberStack> free_;
};

}  // namespace hvfuzz::sched::internal
