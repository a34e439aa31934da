# SPDX-License-Identifier: Apache-2.0
# naive_stress: the time-to-bug bench's mode (d), what a user writes instead of hvfuzz: random
# operation sequences on real threads (exec::RunOne, free-running backend, watchdog), no
# lockdep-style checks, under TSan with detect_deadlocks=1 (the tsan tree's build is the one
# the bench runs). Built in every tree without a fuzzing engine; not a Google Benchmark.
if(TARGET hvfuzz_exec AND NOT HVFUZZ_ENGINE)
  add_executable(naive_stress naive_stress.cc)
  target_link_libraries(naive_stress PRIVATE hvfuzz::exec hvfuzz::report)
  target_compile_options(naive_stress PRIVATE ${HVFUZZ_COMMON_FLAGS})
endif()

# Smoke test of the time-to-bug bench (aggregation on a fake trial log; naive_stress runs).
if(TARGET naive_stress AND HVFUZZ_BUILD_TESTS)
  find_package(Python3 COMPONENTS Interpreter)
  if(Python3_FOUND)
    add_test(NAME bench_ttb_smoke_test
             COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/ttb_smoke_test.py
                     $<TARGET_FILE:naive_stress>)
    set_tests_properties(bench_ttb_smoke_test PROPERTIES TIMEOUT 120)
  endif()
endif()
