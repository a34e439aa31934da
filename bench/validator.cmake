# SPDX-License-Identifier: Apache-2.0
# validator_bench: cost of LockOrderValidator per acquisition, warm (known chains) and cold
# (fresh graph). Release preset: build/<dir>/bench/validator_bench.
if(TARGET hvfuzz_lockdep)
  hvfuzz_cc_bench(NAME validator_bench SRCS validator_bench.cc DEPS hvfuzz::lockdep)
endif()
