// SPDX-License-Identifier: Apache-2.0
// Clang thread-safety attributes (STYLE.md G6, G18). Model locks are capabilities so that
// -Wthread-safety checks guarded fields at compile time; AssertHeld() checks them at run time.
#pragma once

#if defined(__clang__)
#define HV_TSA(x) __attribute__((x))
#else
#define HV_TSA(x)
#endif

#define HV_CAPABILITY(name) HV_TSA(capability(name))
#define HV_SCOPED_CAPABILITY HV_TSA(scoped_lockable)
#define HV_GUARDED_BY(x) HV_TSA(guarded_by(x))
#define HV_PT_GUARDED_BY(x) HV_TSA(pt_guarded_by(x))
#define HV_REQUIRES(...) HV_TSA(requires_capability(__VA_ARGS__))
#define HV_REQUIRES_SHARED(...) HV_TSA(requires_shared_capability(__VA_ARGS__))
#define HV_ACQUIRE(...) HV_TSA(acquire_capability(__VA_ARGS__))
#define HV_ACQUIRE_SHARED(...) HV_TSA(acquire_shared_capability(__VA_ARGS__))
#define HV_RELEASE(...) HV_TSA(release_capability(__VA_ARGS__))
#define HV_RELEASE_SHARED(...) HV_TSA(release_shared_capability(__VA_ARGS__))
#define HV_RELEASE_GENERIC(...) HV_TSA(release_generic_capability(__VA_ARGS__))
#define HV_TRY_ACQUIRE(...) HV_TSA(try_acquire_capability(__VA_ARGS__))
#define HV_TRY_ACQUIRE_SHARED(...) HV_TSA(try_acquire_shared_capability(__VA_ARGS__))
#define HV_ASSERT_CAPABILITY(x) HV_TSA(assert_capability(x))
#define HV_ASSERT_SHARED_CAPABILITY(x) HV_TSA(assert_shared_capability(x))
#define HV_EXCLUDES(...) HV_TSA(locks_excluded(__VA_ARGS__))
#define HV_NO_THREAD_SAFETY_ANALYSIS HV_TSA(no_thread_safety_analysis)
