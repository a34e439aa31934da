#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# oss-fuzz/check_local.sh: OSS-Fuzz's build and build check, emulated on this machine without
# docker (docs/campaigns.md; docs/toolchain.md §5).
#
# For each engine x sanitizer pair OSS-Fuzz would build (project.yaml) that this machine's
# compilers support, it sets the environment OSS-Fuzz's base-builder sets (CC, CXX, CFLAGS,
# CXXFLAGS, LIB_FUZZING_ENGINE, SANITIZER, FUZZING_ENGINE, ARCHITECTURE, SRC, OUT, WORK),
# runs oss-fuzz/build.sh into a fresh $OUT, then checks each fuzzer in $OUT the way OSS-Fuzz's
# bad_build_check does, plus the assets and a crash reproduction:
#   arch     the binary is x86-64
#   engine   libFuzzer: starts, runs 4 inputs, has >= 100 coverage counters; AFL++: afl-fuzz
#            starts fuzzing it ("All set and ready to roll"), no crash or hang on start-up
#   instr    engine symbols (__sanitizer_cov_* / __afl_*) and sanitizer calls counted with
#            objdump as bad_build_check counts them (ASan >= 1000 __asan calls and few
#            __ubsan; UBSan >= 168 __ubsan calls and no __asan)
#   assets   <name>_seed_corpus.zip, <name>.dict, <name>.options present; the engine loads the
#            dictionary with every entry
#   seeds    the fuzzer runs its whole seed corpus without a finding
#   repro    the crash file(s) given with --crash reproduce (a finding, with its SUMMARY line)
#            with their bug switches, and run clean without them
# Exit 0 only when every check of every pair that ran passed; a table of what ran at the end.
#
# usage: oss-fuzz/check_local.sh [--pairs ENGINE:SANITIZER,...] [--clang N] [--fast]
#                                [--crash TARGET:FILE[:BUG,...]]...
#   --pairs   default libfuzzer:address,libfuzzer:undefined,afl:address (honggfuzz:address is
#             listed as skipped: Debian 12 has no honggfuzz package)
#   --clang N use clang-N/clang++-N (e.g. 22, from apt) instead of the default clang (14);
#             AFL++ pairs always use Debian's afl-clang-fast (built against clang-14)
#   --fast    libfuzzer:address only, vm_fuzzer only for the run checks (a quick smoke run)
#   --crash   TARGET is a fuzzer name without _fuzzer (vm, xen, ...); FILE a binary crash file
#             or a text program (encoded for TARGET first); BUGS the switches it needs.
#             Default: vm:tests/e2e/programs/evtchn_send_after_vcpu_create.hvp:xen-evtchn-kvm-lock
# Work trees: $HVFUZZ_BUILD_DIR/oss-fuzz-check/<engine>-<sanitizer>-<cc>/{work,out} (default
# build/); the CMake tree in work/ is reused between runs, out/ is made anew every run.
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
B="${HVFUZZ_BUILD_DIR:-build}"
[[ "$B" = /* ]] || B="$ROOT/$B"

pairs="libfuzzer:address,libfuzzer:undefined,afl:address,honggfuzz:address"
clang_suffix=""
fast=0
crashes=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --pairs) pairs="${2:?--pairs needs ENGINE:SANITIZER,...}"; shift 2 ;;
    --clang) clang_suffix="-${2:?--clang needs a version}"; shift 2 ;;
    --fast) fast=1; pairs="libfuzzer:address"; shift ;;
    --crash)
      # Checked and made absolute now: the fuzzers run in a scratch directory, and a typo should
      # not cost a full build first.
      IFS=: read -r c_target c_file c_bugs <<<"${2:?--crash needs TARGET:FILE[:BUGS]}"
      [[ -n "$c_target" && -r "$c_file" ]] ||
        { echo "check_local.sh: --crash $2: cannot read '$c_file' (TARGET:FILE[:BUGS])" >&2
          exit 2; }
      crashes+=("$c_target:$(realpath "$c_file"):$c_bugs"); shift 2 ;;
    -h|--help) sed -n '2,/^set -uo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "check_local.sh: unknown option '$1' (--help)" >&2; exit 2 ;;
  esac
done
[[ ${#crashes[@]} -eq 0 ]] &&
  crashes=("vm:$ROOT/tests/e2e/programs/evtchn_send_after_vcpu_create.hvp:xen-evtchn-kvm-lock")

# ---- the environment OSS-Fuzz sets (base-builder's Dockerfile and compile scripts) ------------
BASE_CFLAGS="-O1 -fno-omit-frame-pointer -gline-tables-only -DFUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION"
SANITIZER_FLAGS_address="-fsanitize=address -fsanitize-address-use-after-scope"
ubsan_checks="array-bounds,bool,builtin,enum,float-divide-by-zero,function,integer-divide-by-zero,null,object-size,return,returns-nonnull-attribute,shift,signed-integer-overflow,unreachable,vla-bound,vptr"
SANITIZER_FLAGS_undefined="-fsanitize=${ubsan_checks},unsigned-integer-overflow -fno-sanitize-recover=${ubsan_checks}"
# What base-runner sets when it runs fuzzers: RUN_ASAN_OPTIONS, RUN_UBSAN_OPTIONS.
. "$ROOT/oss-fuzz/runner_options.sh"

# setup_env ENGINE SANITIZER CC_SUFFIX: exports what `compile` exports before build.sh.
setup_env() {
  local engine="$1" sanitizer="$2" cc="$3" flags_var="SANITIZER_FLAGS_$2"
  export FUZZING_ENGINE="$engine" SANITIZER="$sanitizer" ARCHITECTURE=x86_64
  export FUZZING_LANGUAGE=c++
  local coverage=""
  case "$engine" in
    libfuzzer)
      export CC="clang$cc" CXX="clang++$cc" LIB_FUZZING_ENGINE="-fsanitize=fuzzer"
      coverage="-fsanitize=fuzzer-no-link" ;;
    afl)
      # compile_afl: afl-clang-fast instruments, libAFLDriver.a is the engine, no extra flags.
      export CC=afl-clang-fast CXX=afl-clang-fast++ LIB_FUZZING_ENGINE=/usr/lib/afl/libAFLDriver.a
      export AFL_QUIET=1 ASAN_OPTIONS="detect_leaks=0:symbolize=0:detect_odr_violation=0:abort_on_error=1" ;;
  esac
  export CFLAGS="$BASE_CFLAGS ${!flags_var} $coverage"
  # OSS-Fuzz adds -stdlib=libc++ here; Debian's libFuzzer runtime is built against libstdc++
  # and does not link with it (docs/toolchain.md §5, gotcha 2), so locally: libstdc++.
  export CXXFLAGS="$CFLAGS"
}

# ---- result table -----------------------------------------------------------------------------
rows=()
failures=0
record() {  # record PAIR FUZZER CHECK RESULT DETAIL
  rows+=("$(printf '%-28s %-20s %-7s %-5s %s' "$1" "$2" "$3" "$4" "$5")")
  [[ "$4" == FAIL ]] && failures=$((failures + 1))
  printf '  %-20s %-7s %-5s %s\n' "$2" "$3" "$4" "$5"
}

# run_options OUT FUZZER: the [libfuzzer] section of FUZZER.options as -key=value flags, the
# dictionary made absolute (run_fuzzer does this on OSS-Fuzz).
run_options() {
  local out="$1" f="$2" line in=0 key value
  [[ -f "$out/$f.options" ]] || return 0
  while IFS= read -r line; do
    [[ "$line" =~ ^\[(.*)\]$ ]] && { [[ "${BASH_REMATCH[1]}" == libfuzzer ]] && in=1 || in=0; continue; }
    [[ $in == 1 && "$line" =~ ^[[:space:]]*([a-z_]+)[[:space:]]*=[[:space:]]*(.*)$ ]] || continue
    key="${BASH_REMATCH[1]}" value="${BASH_REMATCH[2]}"
    [[ $key == dict ]] && value="$out/$value"
    printf -- '-%s=%s\n' "$key" "$value"
  done <"$out/$f.options"
}

dict_entries() { grep -cvE '^[[:space:]]*(#|$)' "$1"; }

# count_calls BINARY PREFIX: calls into a runtime, counted as bad_build_check counts them.
count_calls() { objdump -dC "$1" 2>/dev/null | grep -cE "callq?\s+[0-9a-f]+\s+<$2"; }

check_instrumentation() {  # PAIR OUT FUZZER ENGINE SANITIZER
  local pair="$1" out="$2" f="$3" engine="$4" san="$5" bin="$2/$3"
  local asan ubsan msan dfsan detail ok=1
  asan=$(count_calls "$bin" __asan) ubsan=$(count_calls "$bin" __ubsan)
  msan=$(count_calls "$bin" __msan) dfsan=$(count_calls "$bin" __dfsan)
  detail="calls: __asan $asan, __ubsan $ubsan, __msan $msan, __dfsan $dfsan"
  [[ $msan -le 3 && $dfsan -eq 0 ]] || ok=0
  case "$san" in
    address) [[ $asan -ge 1000 && $ubsan -le 200 ]] || ok=0 ;;
    undefined) [[ $asan -eq 0 && $ubsan -ge 168 ]] || ok=0 ;;
  esac
  local syms
  syms=$(nm "$bin" 2>/dev/null)
  case "$engine" in
    libfuzzer)
      grep -q '__sanitizer_cov_8bit_counters_init\|__sanitizer_cov_trace_pc_guard' <<<"$syms" &&
        grep -q 'LLVMFuzzerRunDriver\|fuzzer::Fuzzer' <<<"$syms" || { ok=0; detail+="; no libFuzzer/sancov symbols"; } ;;
    afl)
      grep -q '__afl_area_ptr' <<<"$syms" && grep -q '__afl_manual_init\|__afl_persistent_loop' <<<"$syms" ||
        { ok=0; detail+="; no __afl_ symbols"; } ;;
  esac
  grep -q "__${san:0:1}san_\|__ubsan_handle" <<<"$syms" || { ok=0; detail+="; no sanitizer runtime"; }
  record "$pair" "$f" instr "$([[ $ok == 1 ]] && echo PASS || echo FAIL)" "$detail"
}

check_engine_libfuzzer() {  # PAIR OUT FUZZER TMP
  local pair="$1" out="$2" f="$3" tmp="$4" log="$4/$3.engine.log" edges dict_n want
  mapfile -t opts < <(run_options "$out" "$f")
  (cd "$tmp" && "$out/$f" -seed=1337 -runs=4 "${opts[@]}" >"$log" 2>&1)
  edges=$(grep -oE 'INFO: Loaded [0-9]+ modules? +\([0-9]+ (inline 8-bit counters|guards)\)' "$log" |
          grep -oE '\([0-9]+' | tr -d '(' | head -n1)
  if grep -q "no interesting inputs were found" "$log" || ! grep -q "Done 4 runs" "$log" ||
     [[ -z "$edges" || "$edges" -lt 100 ]]; then
    record "$pair" "$f" engine FAIL "see $log (counters: ${edges:-none})"
  else
    record "$pair" "$f" engine PASS "4 runs from empty, $edges coverage counters"
  fi
  want=$(dict_entries "$out/$f.dict" 2>/dev/null || echo 0)
  dict_n=$(grep -oE 'Dictionary: [0-9]+ entries' "$log" | grep -oE '[0-9]+' | head -n1)
  if [[ -f "$out/${f}_seed_corpus.zip" && -f "$out/$f.options" && "${dict_n:-x}" == "$want" ]]; then
    record "$pair" "$f" assets PASS "zip, options ($(tr '\n' ' ' <<<"${opts[*]##*/}")), dict $dict_n/$want entries loaded"
  else
    record "$pair" "$f" assets FAIL "dictionary entries loaded: ${dict_n:-none}, in file: $want; see $log"
  fi
}

check_engine_afl() {  # PAIR OUT FUZZER TMP
  local pair="$1" out="$2" f="$3" tmp="$4" log="$4/$3.afl.log" in="$4/$3.afl-in" pid i
  mkdir -p "$in"
  (cd "$in" && unzip -qo "$out/${f}_seed_corpus.zip")
  [[ -n "$(ls -A "$in")" ]] || printf '\0' >"$in/empty"
  AFL_FORKSRV_INIT_TMOUT=30000 AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_NO_AFFINITY=1 \
    AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 ASAN_OPTIONS="abort_on_error=1:symbolize=0:detect_leaks=0" \
    UBSAN_OPTIONS="halt_on_error=1:abort_on_error=1:symbolize=0" \
    afl-fuzz -i "$in" -o "$tmp/$f.afl-out" -x "$out/$f.dict" -- "$out/$f" >"$log" 2>&1 &
  pid=$!
  for ((i = 0; i < 35; i++)); do
    grep -q "All set and ready to roll" "$log" 2>/dev/null && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 1
  done
  kill -INT "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
  local extras want
  # "Loaded N extra tokens" is the -x file; "a total of" would add AFL++'s own auto-dictionary.
  extras=$(grep -oE 'Loaded [0-9]+ extra tokens' "$log" | grep -oE '[0-9]+' | head -n1)
  want=$(dict_entries "$out/$f.dict")
  if grep -q "All set and ready to roll" "$log" && ! grep -qE "target binary (crashed|terminated)" "$log"; then
    record "$pair" "$f" engine PASS "afl-fuzz started fuzzing it (all set and ready to roll)"
  else
    record "$pair" "$f" engine FAIL "afl-fuzz did not start; see $log"
  fi
  if [[ -f "$out/${f}_seed_corpus.zip" && -f "$out/$f.options" && "${extras:-x}" == "$want" ]]; then
    record "$pair" "$f" assets PASS "zip, options, dict: afl-fuzz -x loaded $extras/$want tokens"
  else
    record "$pair" "$f" assets FAIL "afl-fuzz -x loaded ${extras:-no} tokens of $want; see $log"
  fi
}

check_seeds() {  # PAIR OUT FUZZER ENGINE TMP
  local pair="$1" out="$2" f="$3" engine="$4" tmp="$5" dir="$5/$3.seeds" log="$5/$3.seeds.log" n rc=0
  mkdir -p "$dir"
  (cd "$dir" && unzip -qo "$out/${f}_seed_corpus.zip")
  n=$(find "$dir" -type f | wc -l)
  if [[ $engine == libfuzzer ]]; then
    mapfile -t opts < <(run_options "$out" "$f")
    (cd "$tmp" && "$out/$f" -rss_limit_mb=2560 -timeout=25 -runs=0 "${opts[@]}" "$dir" >"$log" 2>&1) || rc=$?
  else
    (cd "$tmp" && "$out/$f" "$dir"/* >"$log" 2>&1) || rc=$?  # the AFL++ driver runs each file
  fi
  if [[ $rc == 0 && $n -gt 0 ]] && ! grep -q "SUMMARY: hvfuzz" "$log"; then
    record "$pair" "$f" seeds PASS "$n seeds, no finding"
  else
    record "$pair" "$f" seeds FAIL "exit $rc on $n seeds; see $log"
  fi
}

check_repro() {  # PAIR OUT ENGINE TMP SPEC
  local pair="$1" out="$2" engine="$3" tmp="$4" spec="$5"
  local target file bugs f input log rc=0 clean_rc=0
  IFS=: read -r target file bugs <<<"$spec"
  f="${target}_fuzzer"
  [[ -x "$out/$f" ]] || { record "$pair" "$f" repro FAIL "no fuzzer $f in \$OUT"; return; }
  [[ -r "$file" ]] || { record "$pair" "$f" repro FAIL "cannot read $file"; return; }
  input="$file"
  if head -c 13 "$file" | grep -q '^# hvfuzz-prog'; then
    input="$tmp/$(basename "$file").bin"
    "$WORK/hvfuzz-build/targets/hvfuzz_fuzz_assets_tool" seed "$f" "$file" "$input" 2>/dev/null ||
      { record "$pair" "$f" repro FAIL "cannot encode $file"; return; }
  fi
  log="$tmp/$f.repro.log"
  local args=("$input")
  [[ $engine == libfuzzer ]] && args=(-runs=100 "$input")  # what OSS-Fuzz's reproduce runs
  (cd "$tmp" && HVFUZZ_BUGS="$bugs" "$out/$f" "${args[@]}" >"$log" 2>&1) || rc=$?
  (cd "$tmp" && HVFUZZ_BUGS= "$out/$f" "${args[@]}" >"$log.clean" 2>&1) || clean_rc=$?
  local summary
  summary=$(grep -m1 '^SUMMARY: hvfuzz:' "$log" | cut -c1-70)
  if [[ $rc != 0 && -n "$summary" && $clean_rc == 0 ]] && ! grep -q 'SUMMARY: hvfuzz' "$log.clean"; then
    record "$pair" "$f" repro PASS "$(basename "$file") [${bugs:-no switch}]: exit $rc, $summary; clean without"
  else
    record "$pair" "$f" repro FAIL "$(basename "$file") [${bugs:-no switch}]: exit $rc, clean run exit $clean_rc; see $log"
  fi
}

check_pair() {
  local engine="$1" sanitizer="$2"
  local cc="$clang_suffix"
  [[ $engine == afl ]] && cc=""
  local pair="$engine-$sanitizer${cc:+ (clang$cc)}"
  echo "== $pair"
  case "$engine" in
    libfuzzer) command -v "clang$cc" >/dev/null || { record "$pair" - build SKIP "clang$cc is not installed"; return; } ;;
    afl) command -v afl-clang-fast >/dev/null || { record "$pair" - build SKIP "afl++ is not installed (apt-get install afl++)"; return; } ;;
    honggfuzz) record "$pair" - build SKIP "honggfuzz: no Debian 12 package; only OSS-Fuzz builds it"; return ;;
    *) record "$pair" - build FAIL "unknown engine '$engine'"; return ;;
  esac
  local dir="$B/oss-fuzz-check/$engine-$sanitizer${cc:-}"
  mkdir -p "$dir/work"
  rm -rf "$dir/out" "$dir/tmp"  # build outputs of the previous check, never corpora or crashes
  mkdir -p "$dir/out" "$dir/tmp"
  (
    setup_env "$engine" "$sanitizer" "$cc"
    export SRC="$dir/src" OUT="$dir/out" WORK="$dir/work" HVFUZZ_SRC="$ROOT"
    mkdir -p "$SRC"
    bash -eu "$ROOT/oss-fuzz/build.sh"
  ) >"$dir/build.log" 2>&1
  local rc=$?
  if [[ $rc != 0 ]]; then
    record "$pair" - build FAIL "build.sh exit $rc; see $dir/build.log"
    tail -20 "$dir/build.log" | sed 's/^/    /'
    return
  fi
  local fuzzers=()
  for f in "$dir"/out/*_fuzzer; do [[ -x "$f" ]] && fuzzers+=("$(basename "$f")"); done
  record "$pair" - build PASS "build.sh: ${#fuzzers[@]} fuzzers in \$OUT"
  export WORK="$dir/work"
  local run=("${fuzzers[@]}")
  [[ $fast == 1 ]] && run=(vm_fuzzer)
  local first_row=${#rows[@]}
  (
    failures=0
    export ASAN_OPTIONS="$RUN_ASAN_OPTIONS" UBSAN_OPTIONS="$RUN_UBSAN_OPTIONS"
    for f in "${fuzzers[@]}"; do
      if file -L "$dir/out/$f" | grep -q 'x86-64'; then
        record "$pair" "$f" arch PASS "x86-64"
      else
        record "$pair" "$f" arch FAIL "$(file -L "$dir/out/$f" | cut -d: -f2 | cut -c1-60)"
      fi
      check_instrumentation "$pair" "$dir/out" "$f" "$engine" "$sanitizer"
    done
    for f in "${run[@]}"; do
      if [[ $engine == libfuzzer ]]; then
        check_engine_libfuzzer "$pair" "$dir/out" "$f" "$dir/tmp"
      else
        check_engine_afl "$pair" "$dir/out" "$f" "$dir/tmp"
      fi
      check_seeds "$pair" "$dir/out" "$f" "$engine" "$dir/tmp"
    done
    local c
    for c in "${crashes[@]}"; do check_repro "$pair" "$dir/out" "$engine" "$dir/tmp" "$c"; done
    printf '%s\n' "${rows[@]:first_row}" >"$dir/tmp/rows"  # the subshell's own rows
    exit $((failures > 0))
  )
  local sub=$?
  mapfile -t -O "${#rows[@]}" rows <"$dir/tmp/rows"
  failures=$((failures + $(grep -c ' FAIL ' "$dir/tmp/rows")))
  [[ $sub == 0 || $(grep -c ' FAIL ' "$dir/tmp/rows") -gt 0 ]] || { record "$pair" - checks FAIL "check subshell exit $sub"; }
}

start=$(date +%s)
IFS=, read -r -a pair_list <<<"$pairs"
for p in "${pair_list[@]}"; do
  check_pair "${p%%:*}" "${p##*:}"
done
end=$(date +%s)

echo
echo "OSS-Fuzz build check, emulated ($((end - start)) s; libstdc++ instead of libc++, no docker):"
printf '%-28s %-20s %-7s %-5s %s\n' PAIR FUZZER CHECK RESULT DETAIL
printf '%s\n' "${rows[@]}"
passed=$(printf '%s\n' "${rows[@]}" | grep -c ' PASS ' || true)
skipped=$(printf '%s\n' "${rows[@]}" | grep -c ' SKIP ' || true)
echo "$passed passed, $failures failed, $skipped skipped"
[[ $failures == 0 ]]
