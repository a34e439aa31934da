# SPDX-License-Identifier: Apache-2.0
# Free-running backend: real threads, real blocking, the wall-clock watchdog (DESIGN.md).
find_package(Threads REQUIRED)
hvfuzz_cc_library(
  NAME free_running
  SRCS
    free_running_runtime.cc
    free_running_teardown.cc
  HDRS
    free_running_runtime.h
    internal/invisible_mutex.h
    locked_observer.h
  DEPS hvfuzz::sync hvfuzz::watchdog hvfuzz::report Threads::Threads
)

hvfuzz_cc_test(NAME free_running_runtime_test SRCS free_running_runtime_test.cc
               DEPS hvfuzz::free_running GTest::gmock)
hvfuzz_cc_test(NAME locked_observer_test SRCS locked_observer_test.cc DEPS hvfuzz::free_running)
