# SPDX-License-Identifier: Apache-2.0
# exec_bench: decode + exec::RunOne per execution and per operation (issue 8's >= 20k exec/s
# goal on a 4-thread, 32-operation program). rss_bench: peak RSS after 10k / 100k / 1M
# executions (must stay flat). Release preset: build/<dir>/bench/{exec,rss}_bench.
if(TARGET hvfuzz_exec)
  hvfuzz_cc_bench(NAME exec_bench SRCS exec_bench.cc DEPS hvfuzz::exec)
  hvfuzz_cc_bench(NAME rss_bench SRCS rss_bench.cc DEPS hvfuzz::exec)
endif()
