# SPDX-License-Identifier: Apache-2.0
# Generated fuzz assets (issue 5: seeds and dictionaries), included from targets/CMakeLists.txt.
# For every *_fuzzer the target `fuzz_assets` writes, beside the fuzzer binary:
#   <name>_seed_corpus.zip   corpus/<slice>/*.hvp in binary (vm: every folder; prog_codec_fuzzer:
#                            every folder, binary and text), ops outside the fuzzer's slice left
#                            out (noted in the build log); unpacked copy in <name>_seed_corpus/
#   <name>.dict              tokens of the binary format, from the op table (fuzz_assets.h)
#   <name>.options           [libfuzzer] max_len and dict
# `fuzz_assets` is part of `all` in engine builds (HVFUZZ_ENGINE set) and can be built by name
# in any tree. oss-fuzz/build.sh copies these files into $OUT.
hvfuzz_cc_library(NAME fuzz_assets SRCS assets/fuzz_assets.cc DEPS hvfuzz::prog)
add_executable(hvfuzz_fuzz_assets_tool assets/fuzz_assets_tool.cc)
target_link_libraries(hvfuzz_fuzz_assets_tool PRIVATE hvfuzz::fuzz_assets)
target_compile_options(hvfuzz_fuzz_assets_tool PRIVATE ${HVFUZZ_COMMON_FLAGS})
hvfuzz_cc_test(NAME fuzz_assets_test SRCS assets/fuzz_assets_test.cc DEPS hvfuzz::fuzz_assets)

set(HVFUZZ_SEED_FOLDERS memslots mmu gpc xen global vm)
set(_hvfuzz_asset_outputs "")

# hvfuzz_fuzz_assets(NAME vm_fuzzer DIR <binary dir> FOLDERS a b ... [TEXT])
function(hvfuzz_fuzz_assets)
  cmake_parse_arguments(A "TEXT" "NAME;DIR" "FOLDERS" ${ARGN})
  set(seeds "")
  foreach(folder IN LISTS A_FOLDERS)
    file(GLOB found CONFIGURE_DEPENDS "${PROJECT_SOURCE_DIR}/corpus/${folder}/*.hvp")
    list(SORT found)
    list(APPEND seeds ${found})
  endforeach()
  string(REPLACE ";" "|" seed_arg "${seeds}")
  set(zip "${A_DIR}/${A_NAME}_seed_corpus.zip")
  set(script "${PROJECT_SOURCE_DIR}/targets/assets/make_seed_corpus.cmake")
  add_custom_command(
    OUTPUT "${zip}"
    COMMAND "${CMAKE_COMMAND}" "-DTOOL=$<TARGET_FILE:hvfuzz_fuzz_assets_tool>"
            "-DFUZZER=${A_NAME}" "-DOUT=${zip}"
            "-DWORK=${A_DIR}/${A_NAME}_seed_corpus" "-DSEEDS=${seed_arg}" "-DTEXT=${A_TEXT}"
            -P "${script}"
    DEPENDS hvfuzz_fuzz_assets_tool ${seeds} "${script}"
    COMMENT "seed corpus ${A_NAME}_seed_corpus.zip"
    VERBATIM)
  add_custom_command(
    OUTPUT "${A_DIR}/${A_NAME}.dict" "${A_DIR}/${A_NAME}.options"
    COMMAND hvfuzz_fuzz_assets_tool write "${A_DIR}" "${A_NAME}"
    DEPENDS hvfuzz_fuzz_assets_tool
    COMMENT "dictionary and options of ${A_NAME}"
    VERBATIM)
  set(_hvfuzz_asset_outputs ${_hvfuzz_asset_outputs} "${zip}" "${A_DIR}/${A_NAME}.dict"
      "${A_DIR}/${A_NAME}.options" PARENT_SCOPE)
endfunction()

foreach(slice memslots mmu gpc xen global)
  hvfuzz_fuzz_assets(NAME ${slice}_fuzzer DIR "${CMAKE_CURRENT_BINARY_DIR}" FOLDERS ${slice})
endforeach()
hvfuzz_fuzz_assets(NAME vm_fuzzer DIR "${CMAKE_CURRENT_BINARY_DIR}" FOLDERS ${HVFUZZ_SEED_FOLDERS})
hvfuzz_fuzz_assets(NAME prog_codec_fuzzer DIR "${PROJECT_BINARY_DIR}/fuzz/prog"
                   FOLDERS ${HVFUZZ_SEED_FOLDERS} TEXT)

if(HVFUZZ_ENGINE)
  add_custom_target(fuzz_assets ALL DEPENDS ${_hvfuzz_asset_outputs})
else()
  add_custom_target(fuzz_assets DEPENDS ${_hvfuzz_asset_outputs})
endif()

if(HVFUZZ_BUILD_TESTS)
  add_test(NAME fuzz_assets.SeedCorpusZip
           COMMAND bash "${PROJECT_SOURCE_DIR}/targets/assets/seed_corpus_check.sh"
                   "$<TARGET_FILE:hvfuzz_fuzz_assets_tool>" "$<TARGET_FILE:hvfuzz_prog_tool>"
                   "${PROJECT_SOURCE_DIR}")
endif()
