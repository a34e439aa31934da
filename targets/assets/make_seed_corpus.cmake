# SPDX-License-Identifier: Apache-2.0
# cmake -P script run by the fuzz_assets target (fuzz_assets.cmake), one call per fuzzer:
# encodes text seed programs into the binary input format with `hvfuzz_fuzz_assets_tool seed`
# (hvfuzz_prog_tool encode, after leaving out the ops the fuzzer's slice cannot run: those would
# decode as other ops) and packs them into <name>_seed_corpus.zip (OSS-Fuzz's name), flat.
#   -DTOOL=hvfuzz_fuzz_assets_tool  -DFUZZER=<name>  -DOUT=path/to/<name>_seed_corpus.zip
#   -DWORK=dir  -DSEEDS=a.hvp|b.hvp
#   -DTEXT=ON         also put the text programs themselves in (prog_codec_fuzzer takes both)
# WORK (a directory of the build tree, e.g. <name>_seed_corpus/) is regenerated from the
# sources on every run and keeps the unpacked seeds for local sessions. A bad seed stops the
# build with the parser's file:line:col message. The zip is written to OUT.tmp, then renamed.
foreach(var TOOL FUZZER OUT WORK SEEDS)
  if(NOT DEFINED ${var} OR "${${var}}" STREQUAL "")
    message(FATAL_ERROR "make_seed_corpus.cmake: -D${var}=... is required")
  endif()
endforeach()
string(REPLACE "|" ";" seeds "${SEEDS}")

file(REMOVE_RECURSE "${WORK}")
file(MAKE_DIRECTORY "${WORK}")
set(members "")
foreach(seed IN LISTS seeds)
  get_filename_component(base "${seed}" NAME_WE)
  get_filename_component(dir "${seed}" DIRECTORY)
  get_filename_component(folder "${dir}" NAME)
  set(bin "${folder}-${base}.bin")
  execute_process(COMMAND "${TOOL}" seed "${FUZZER}" "${seed}" "${WORK}/${bin}"
                  ERROR_VARIABLE err RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "seed corpus: cannot encode ${seed} (${rc}):\n${err}")
  elseif(NOT err STREQUAL "")
    string(STRIP "${err}" err)
    message(STATUS "${err}")
  endif()
  list(APPEND members "${bin}")
  if(TEXT)
    configure_file("${seed}" "${WORK}/${folder}-${base}.hvp" COPYONLY)
    list(APPEND members "${folder}-${base}.hvp")
  endif()
endforeach()

execute_process(COMMAND "${CMAKE_COMMAND}" -E tar cf "${OUT}.tmp" --format=zip -- ${members}
                WORKING_DIRECTORY "${WORK}" RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "seed corpus: cannot write ${OUT}.tmp")
endif()
file(RENAME "${OUT}.tmp" "${OUT}")
