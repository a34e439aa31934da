# SPDX-License-Identifier: Apache-2.0
# Scheduler and fiber benchmarks (release preset):
#   cmake --preset release -B build/h-sched-rel && cmake --build build/h-sched-rel \
#     --target sched_bench && build/h-sched-rel/bench/sched_bench
hvfuzz_cc_bench(NAME sched_bench SRCS sched_bench.cc DEPS hvfuzz::controlled)
if(TARGET sched_bench)
  # Both switch backends in one binary, whichever HVFUZZ_FIBER the scheduler uses, so that
  # BM_RawSwitch compares them under identical conditions.
  find_package(Boost 1.74 QUIET COMPONENTS context)
  if(Boost_FOUND)
    target_link_libraries(sched_bench PRIVATE Boost::context)
    target_compile_definitions(sched_bench PRIVATE HVFUZZ_HAVE_FCONTEXT=1)
  endif()
endif()
