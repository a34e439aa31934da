# SPDX-License-Identifier: Apache-2.0
# fuzz/check/lockdep.cmake -> hvfuzz::lockdep: the lockdep-style potential-deadlock detector
# (LockDependencyGraph, the typed lock-order graph; LockOrderValidator, the SyncObserver that
# feeds it and records the first Finding of a run). Its findings are built with hvfuzz::report
# (report.cmake, included before this file): without it there is no detector to build.
if(NOT TARGET hvfuzz_report)
  message(STATUS "hvfuzz: hvfuzz::lockdep skipped: it needs hvfuzz::report")
  return()
endif()

hvfuzz_cc_library(
  NAME lockdep
  HDRS
    internal/flat_u64_map.h
    internal/lock_order_findings.h
    lock_dependency_graph.h
    lock_order_validator.h
  SRCS
    internal/lock_order_findings.cc
    lock_dependency_graph.cc
    lock_order_validator.cc
  DEPS hvfuzz::sync hvfuzz::report
)

hvfuzz_cc_test(NAME lock_dependency_graph_test SRCS lock_dependency_graph_test.cc
               DEPS hvfuzz::lockdep)
hvfuzz_cc_test(NAME lock_order_validator_test SRCS lock_order_validator_test.cc
               DEPS hvfuzz::lockdep)
# The validator tests misuse locks on purpose (recursive locking, unlock of an unheld lock,
# leaks); the compile-time analysis would reject exactly that.
set_source_files_properties(lock_order_validator_test.cc PROPERTIES COMPILE_OPTIONS
                            "-Wno-thread-safety")
