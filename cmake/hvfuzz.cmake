# SPDX-License-Identifier: Apache-2.0
# Build helpers that mirror the layers (STYLE.md G17):
#   hvfuzz_cc_library(NAME graph SRCS ... DEPS ...)  -> target hvfuzz_graph, alias hvfuzz::graph
#   hvfuzz_cc_test(NAME graph_test SRCS ... DEPS ...) -> gtest binary, tests discovered by ctest
#   hvfuzz_cc_bench(NAME sched_bench SRCS ... DEPS ...) -> Google Benchmark binary
if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
  message(FATAL_ERROR "hvfuzz needs clang (thread-safety analysis, sanitizers, libFuzzer): "
                      "configure with -DCMAKE_CXX_COMPILER=clang++ or use a preset")
endif()

set(HVFUZZ_COMMON_FLAGS -Wall -Wextra -Wno-unused-parameter -Wthread-safety -Werror=thread-safety
    -fno-omit-frame-pointer)
# Sites in reports name files relative to the source root (model/gpc.cc:88), not absolute paths.
list(APPEND HVFUZZ_COMMON_FLAGS "-fmacro-prefix-map=${CMAKE_SOURCE_DIR}/=")

set(HVFUZZ_SAN_FLAGS "")
if(HVFUZZ_SANITIZE)
  set(HVFUZZ_SAN_FLAGS "-fsanitize=${HVFUZZ_SANITIZE}")
  if(HVFUZZ_SANITIZE MATCHES "undefined")
    list(APPEND HVFUZZ_SAN_FLAGS -fno-sanitize-recover=undefined)
  endif()
  add_compile_options(${HVFUZZ_SAN_FLAGS})
  add_link_options(${HVFUZZ_SAN_FLAGS})
endif()
if(HVFUZZ_SANITIZE MATCHES "thread")
  add_compile_definitions(HVFUZZ_TSAN=1)
elseif(HVFUZZ_SANITIZE MATCHES "address")
  add_compile_definitions(HVFUZZ_ASAN=1)
endif()

function(hvfuzz_cc_library)
  cmake_parse_arguments(A "" "NAME" "SRCS;HDRS;DEPS" ${ARGN})
  if(A_SRCS)
    add_library(hvfuzz_${A_NAME} STATIC ${A_SRCS} ${A_HDRS})
    target_include_directories(hvfuzz_${A_NAME} PUBLIC ${PROJECT_SOURCE_DIR})
    target_link_libraries(hvfuzz_${A_NAME} PUBLIC ${A_DEPS})
    target_compile_options(hvfuzz_${A_NAME} PRIVATE ${HVFUZZ_COMMON_FLAGS})
  else()
    add_library(hvfuzz_${A_NAME} INTERFACE)
    target_include_directories(hvfuzz_${A_NAME} INTERFACE ${PROJECT_SOURCE_DIR})
    target_link_libraries(hvfuzz_${A_NAME} INTERFACE ${A_DEPS})
  endif()
  add_library(hvfuzz::${A_NAME} ALIAS hvfuzz_${A_NAME})
endfunction()

function(hvfuzz_cc_test)
  cmake_parse_arguments(A "" "NAME" "SRCS;DEPS;ARGS" ${ARGN})
  if(NOT HVFUZZ_BUILD_TESTS)
    return()
  endif()
  add_executable(${A_NAME} ${A_SRCS})
  target_link_libraries(${A_NAME} PRIVATE ${A_DEPS} GTest::gtest GTest::gtest_main)
  target_compile_options(${A_NAME} PRIVATE ${HVFUZZ_COMMON_FLAGS})
  target_compile_definitions(${A_NAME} PRIVATE HVFUZZ_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
  # Tests build lock-order inversions on purpose; TSan's own deadlock detector would report
  # them (exit 66). Our validator is the deadlock detector under test; TSan looks for races.
  gtest_discover_tests(${A_NAME} EXTRA_ARGS ${A_ARGS} DISCOVERY_TIMEOUT 60
                       PROPERTIES TIMEOUT 300
                       ENVIRONMENT "TSAN_OPTIONS=detect_deadlocks=0:report_destroy_locked=0")
endfunction()

function(hvfuzz_cc_bench)
  cmake_parse_arguments(A "" "NAME" "SRCS;DEPS" ${ARGN})
  if(NOT HVFUZZ_BUILD_BENCH)
    return()
  endif()
  add_executable(${A_NAME} ${A_SRCS})
  target_link_libraries(${A_NAME} PRIVATE ${A_DEPS} benchmark::benchmark benchmark::benchmark_main)
  target_compile_options(${A_NAME} PRIVATE ${HVFUZZ_COMMON_FLAGS})
endfunction()

# Fuzzing engine of this build tree: "" (none: only standalone replayers), "libfuzzer" (clang's
# -fsanitize=fuzzer) or "afl" (configure with CXX=afl-clang-fast++: AFL++ swaps in its own
# persistent-mode driver at link time; no driver code of ours, STYLE.md G14).
# "oss-fuzz" (oss-fuzz/build.sh): $CC/$CXX/$CFLAGS/$CXXFLAGS carry the sanitizer and coverage
# flags, fuzzers link with $LIB_FUZZING_ENGINE (a flag or a library path; read at configure).
set(HVFUZZ_ENGINE "" CACHE STRING "fuzzing engine of this build: '', libfuzzer, afl, oss-fuzz")
set(HVFUZZ_FUZZER_LINK_OPTIONS -fsanitize=fuzzer)
if(HVFUZZ_ENGINE STREQUAL "oss-fuzz")
  separate_arguments(HVFUZZ_FUZZER_LINK_OPTIONS NATIVE_COMMAND "$ENV{LIB_FUZZING_ENGINE}")
  if(NOT HVFUZZ_FUZZER_LINK_OPTIONS)
    message(FATAL_ERROR "HVFUZZ_ENGINE=oss-fuzz needs LIB_FUZZING_ENGINE in the environment")
  endif()
  if(CMAKE_CXX_FLAGS MATCHES "-fsanitize=[^ ]*thread")  # the fiber hooks follow the flags
    add_compile_definitions(HVFUZZ_TSAN=1)
  elseif(CMAKE_CXX_FLAGS MATCHES "-fsanitize=[^ ]*address")
    add_compile_definitions(HVFUZZ_ASAN=1)
  endif()
  add_compile_definitions(HVFUZZ_FUZZING=1)
elseif(HVFUZZ_ENGINE)
  # Coverage instrumentation for every library, so model and harness code both give feedback.
  add_compile_options(-fsanitize=fuzzer-no-link)
  if(HVFUZZ_ENGINE STREQUAL "libfuzzer" AND NOT HVFUZZ_SANITIZE)
    # Executables that do not link libFuzzer (replayers, the assets tool) still call the
    # coverage callbacks; with no sanitizer runtime to define them, this flag makes clang link
    # the sanitizer-common one that does (the fuzz-plain preset). AFL++ links its own.
    add_link_options(-fsanitize=fuzzer-no-link)
  endif()
  if(HVFUZZ_SANITIZE MATCHES "thread")
    # clang-14 instruments libFuzzer's own stack-depth tracking under TSan (toolchain.md §3).
    add_compile_options(-fno-sanitize-coverage=stack-depth)
  endif()
  add_compile_definitions(HVFUZZ_FUZZING=1)
endif()

# hvfuzz_fuzz_target(NAME memslots_fuzzer SRCS memslots_fuzzer.cc DEPS ...)
# Always builds NAME_replay (a standalone replayer: runs each file given on the command line);
# with an engine, also NAME linked against it.
# ENGINE_SRCS are compiled into the engine binary only (e.g. hooks that call LLVMFuzzerMutate).
function(hvfuzz_fuzz_target)
  cmake_parse_arguments(A "" "NAME" "SRCS;ENGINE_SRCS;DEPS" ${ARGN})
  add_executable(${A_NAME}_replay ${A_SRCS} ${PROJECT_SOURCE_DIR}/targets/replay_main.cc)
  target_link_libraries(${A_NAME}_replay PRIVATE ${A_DEPS})
  target_compile_options(${A_NAME}_replay PRIVATE ${HVFUZZ_COMMON_FLAGS})
  if(HVFUZZ_ENGINE)
    add_executable(${A_NAME} ${A_SRCS} ${A_ENGINE_SRCS})
    target_link_libraries(${A_NAME} PRIVATE ${A_DEPS})
    target_compile_options(${A_NAME} PRIVATE ${HVFUZZ_COMMON_FLAGS})
    target_link_options(${A_NAME} PRIVATE ${HVFUZZ_FUZZER_LINK_OPTIONS})
  endif()
endfunction()
