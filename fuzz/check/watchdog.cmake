# SPDX-License-Identifier: Apache-2.0
# Wall-clock watchdog of the free-running backend. Generic: it watches a progress counter and
# asks its owner what a stall means, so it needs no other hvfuzz library.
find_package(Threads REQUIRED)
hvfuzz_cc_library(
  NAME watchdog
  SRCS watchdog.cc
  HDRS watchdog.h
  DEPS Threads::Threads
)

hvfuzz_cc_test(NAME watchdog_test SRCS watchdog_test.cc DEPS hvfuzz::watchdog)
