# SPDX-License-Identifier: Apache-2.0
# oss-fuzz/runner_options.sh: sourced by check_local.sh and switch_check.sh. The sanitizer
# options OSS-Fuzz's base-runner image sets when it runs fuzzers, so local checks see what
# ClusterFuzz sees: use-after-return detection on (each fiber's fake stack, fiber_stack.h),
# leak detection on, unsigned overflow only a coverage signal. halt_on_error=1 for UBSan is
# ours: a UBSan finding must stop the run as it does in OSS-Fuzz's -fno-sanitize-recover build.
RUN_ASAN_OPTIONS="alloc_dealloc_mismatch=0:allocator_may_return_null=1:allocator_release_to_os_interval_ms=500:check_malloc_usable_size=0:detect_container_overflow=1:detect_odr_violation=0:detect_leaks=1:detect_stack_use_after_return=1:fast_unwind_on_fatal=0:handle_abort=1:handle_segv=1:handle_sigill=1:max_uar_stack_size_log=16:print_scariness=1:quarantine_size_mb=10:strict_memcmp=1:symbolize=1:use_sigaltstack=1:dedup_token_length=3"
RUN_UBSAN_OPTIONS="print_stacktrace=1:print_summary=1:silence_unsigned_overflow=1:symbolize=1:dedup_token_length=3:halt_on_error=1"
