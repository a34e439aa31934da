// SPDX-License-Identifier: Apache-2.0
// TSan bridge of the sync layer (docs/toolchain.md §1b, §3b). Compiled to nothing unless the
// build defines HVFUZZ_TSAN.
//
// Two rules make TSan see the model's threads the way the kernel's would be seen:
//  1. Happens-before between model tasks comes only from the model's primitives, announced with
//     __tsan_mutex_* (locks) and __tsan_release/__tsan_acquire (SRCU grace periods, completions,
//     wakeups). Backends switch fibers with __tsan_switch_to_fiber_no_sync.
//  2. The primitives' own bookkeeping (owner fields, reader counts, wait lists, and in the
//     free-running backend the internal std::mutex guarding them) is invisible to TSan: every
//     access runs inside StateGuard, which ignores both memory accesses and synchronization.
//     Otherwise the bookkeeping would either be reported as racing (fibers) or add
//     happens-before edges the kernel does not have (threads), hiding real model races.
#pragma once

#if defined(HVFUZZ_TSAN)
#include <sanitizer/tsan_interface.h>
extern "C" void __tsan_ignore_thread_begin();
extern "C" void __tsan_ignore_thread_end();
extern "C" void AnnotateIgnoreSyncBegin(const char* file, int line);
extern "C" void AnnotateIgnoreSyncEnd(const char* file, int line);
#endif

namespace hvfuzz::sync::internal {

#if defined(HVFUZZ_TSAN)
inline constexpr bool kTsan = true;
inline void TsanIgnoreBegin() {
  __tsan_ignore_thread_begin();
  AnnotateIgnoreSyncBegin(__FILE__, __LINE__);
}
inline void TsanIgnoreEnd() {
  AnnotateIgnoreSyncEnd(__FILE__, __LINE__);
  __tsan_ignore_thread_end();
}
inline void TsanPreLock(const void* a, bool read, bool trylock) {
  __tsan_mutex_pre_lock(const_cast<void*>(a), (read ? __tsan_mutex_read_lock : 0u) |
                                                  (trylock ? __tsan_mutex_try_lock : 0u));
}
inline void TsanPostLock(const void* a, bool read, bool trylock, bool failed) {
  __tsan_mutex_post_lock(const_cast<void*>(a),
                         (read ? __tsan_mutex_read_lock : 0u) |
                             (trylock ? __tsan_mutex_try_lock : 0u) |
                             (failed ? __tsan_mutex_try_lock_failed : 0u),
                         0);
}
inline void TsanPreUnlock(const void* a, bool read) {
  __tsan_mutex_pre_unlock(const_cast<void*>(a), read ? __tsan_mutex_read_lock : 0u);
}
inline void TsanPostUnlock(const void* a, bool read) {
  __tsan_mutex_post_unlock(const_cast<void*>(a), read ? __tsan_mutex_read_lock : 0u);
}
// A lock's memory is about to be reused: forget TSan's view of it. A task unwound while
// holding a lock (or a model leak, which our own detector reports) would otherwise leave it
// "locked" for TSan, and the next lock at the same address would be reported as a double
// lock. Runs set report_destroy_locked=0 for the same reason.
inline void TsanDestroy(const void* a) { __tsan_mutex_destroy(const_cast<void*>(a), 0); }
inline void TsanRelease(const void* a) { __tsan_release(const_cast<void*>(a)); }
inline void TsanAcquire(const void* a) { __tsan_acquire(const_cast<void*>(a)); }
#else
inline constexpr bool kTsan = false;
inline void TsanIgnoreBegin() {}
inline void TsanIgnoreEnd() {}
inline void TsanPreLock(const void*, bool, bool) {}
inline void TsanPostLock(const void*, bool, bool, bool) {}
inline void TsanPreUnlock(const void*, bool) {}
inline void TsanPostUnlock(const void*, bool) {}
inline void TsanDestroy(const void*) {}
inline void TsanRelease(const void*) {}
inline void TsanAcquire(const void*) {}
#endif

}  // namespace hvfuzz::sync::internal
