# SPDX-License-Identifier: Apache-2.0
# Controlled backend: fibers (hvfuzz::fiber) and the scheduler with its strategies
# (hvfuzz::controlled). Included from fuzz/sched/CMakeLists.txt.

# --- hvfuzz::fiber: Fiber, pooled stacks, the context switch chosen by HVFUZZ_FIBER. ---
if(HVFUZZ_FIBER STREQUAL "asm")
  if(NOT CMAKE_SYSTEM_PROCESSOR MATCHES "x86_64|AMD64")
    message(FATAL_ERROR "HVFUZZ_FIBER=asm is x86-64 only; configure with -DHVFUZZ_FIBER=fcontext")
  endif()
elseif(NOT HVFUZZ_FIBER STREQUAL "fcontext")
  message(FATAL_ERROR "HVFUZZ_FIBER must be \"asm\" or \"fcontext\", not \"${HVFUZZ_FIBER}\"")
endif()

set(_hvfuzz_fiber_srcs fiber.cc internal/fiber_stack.cc)
if(CMAKE_SYSTEM_PROCESSOR MATCHES "x86_64|AMD64")
  # Always built on x86-64, so that the benchmark can compare it with fcontext.
  list(APPEND _hvfuzz_fiber_srcs internal/fiber_switch_x86_64.S)
endif()
hvfuzz_cc_library(
  NAME fiber
  SRCS ${_hvfuzz_fiber_srcs}
  HDRS fiber.h internal/fiber_context.h internal/fiber_stack.h
)
# Clang warns about C++-only flags (-Wthread-safety, sanitizer options) on the assembler.
set_source_files_properties(internal/fiber_switch_x86_64.S PROPERTIES COMPILE_OPTIONS
                            "-Wno-unused-command-line-argument")
if(HVFUZZ_FIBER STREQUAL "fcontext")
  find_package(Boost 1.74 REQUIRED COMPONENTS context)
  target_link_libraries(hvfuzz_fiber PUBLIC Boost::context)
  target_compile_definitions(hvfuzz_fiber PRIVATE HVFUZZ_HAVE_FCONTEXT=1 HVFUZZ_FIBER_FCONTEXT=1)
endif()

# --- hvfuzz::controlled: ControlledScheduler, strategies, ScheduleTrace. ---
set(_hvfuzz_controlled_deps hvfuzz::sync hvfuzz::fiber)
if(TARGET hvfuzz_report)
  list(APPEND _hvfuzz_controlled_deps hvfuzz::report)
endif()
hvfuzz_cc_library(
  NAME controlled
  SRCS
    controlled_scheduler.cc
    controlled_scheduler_switch.cc
    pct_strategy.cc
    replay_strategy.cc
    schedule_trace.cc
    scheduling_strategy.cc
  HDRS
    controlled_scheduler.h
    internal/controlled_slot.h
    internal/prng.h
    pct_strategy.h
    random_strategy.h
    replay_strategy.h
    schedule_bytes_strategy.h
    schedule_options.h
    schedule_trace.h
    scheduling_strategy.h
  DEPS ${_hvfuzz_controlled_deps}
)

# --- Tests. ---
hvfuzz_cc_test(NAME fiber_test SRCS fiber_test.cc DEPS hvfuzz::fiber)
if(HVFUZZ_SANITIZE MATCHES "address")
  hvfuzz_cc_test(NAME fiber_fake_stack_test SRCS fiber_fake_stack_test.cc DEPS hvfuzz::fiber)
endif()
hvfuzz_cc_test(NAME scheduling_strategy_test SRCS scheduling_strategy_test.cc
               DEPS hvfuzz::controlled)
hvfuzz_cc_test(NAME schedule_trace_test SRCS schedule_trace_test.cc DEPS hvfuzz::controlled)
hvfuzz_cc_test(NAME controlled_scheduler_test
               SRCS controlled_scheduler_test.cc controlled_scheduler_primitives_test.cc
                    controlled_scheduler_unwind_test.cc
               DEPS hvfuzz::controlled)
hvfuzz_cc_test(NAME tsan_race_test SRCS tsan_race_test.cc DEPS hvfuzz::controlled)
# These tests leave locks held on purpose (deadlocks, tasks unwound mid-section), which the
# compile-time analysis would reject.
set_source_files_properties(controlled_scheduler_test.cc controlled_scheduler_primitives_test.cc
                            controlled_scheduler_unwind_test.cc
                            tsan_race_test.cc PROPERTIES COMPILE_OPTIONS "-Wno-thread-safety")
hvfuzz_cc_test(NAME pct_yield_test SRCS pct_yield_test.cc DEPS hvfuzz::controlled)
set_source_files_properties(pct_yield_test.cc PROPERTIES COMPILE_OPTIONS "-Wno-thread-safety")
