# SPDX-License-Identifier: Apache-2.0
# Sourced by ./hvfuzz: a local fuzz session on one target (`./hvfuzz fuzz --help`).
#
# Files: findings/<target>/ receives crash files (named by content hash, as the engines name
# them) and, beside each, <file>.txt with its report. Nothing there is ever deleted or
# overwritten: an engine writes into a per-session scratch folder and new files are moved in
# with no-clobber. The working corpus $HVFUZZ_BUILD_DIR (default build)/corpus/<target>/ persists across sessions; seeds
# come from corpus/<target>/*.hvp (text, turned into binary by the build), corpus/regressions/*.hvp
# and the promoted crash files in corpus/regressions/<target>/ (never with --from-scratch).
# Beside each crash, <file>.session records target, engine, backend and bug switches (triage).

fuzz_usage() {
  cat <<'EOF'
usage: ./hvfuzz fuzz [options]
  --target NAME      memslots|mmu|gpc|xen|global|vm  (default: vm, the whole VM)
  --bug NAME         turn on a bug switch (repeatable; ./hvfuzz bugs lists them)
  --time SECONDS     session length (default: 60)
  --engine E         libfuzzer (default) or afl
  --jobs N           parallel fuzzing processes (libFuzzer fork mode / AFL++ main+secondaries)
  --tsan             run model threads as real threads under TSan with the watchdog
  --asan             fuzz the ASan+UBSan build (as OSS-Fuzz does) instead of the plain one:
                     catches memory errors in the model itself, at about 1/4 of the exec/s
  --from-scratch     start from an empty corpus: no seeds, no regression programs
  --stop-on-finding  stop at the first finding and print how long it took
Bug switches also come from HVFUZZ_BUGS (comma-separated); never from input bytes.
AFL++ runs hvfuzz's mutator alone, 16 mutants per queue entry and pass: HVFUZZ_AFL_HAVOC=1
adds AFL++'s havoc stage, HVFUZZ_AFL_FUZZ_COUNT=N changes the 16 (docs/fuzzing.md).
EOF
}

fuzz_session() {
  local target=vm time=60 engine=libfuzzer jobs=1 tsan=0 asan=0 scratch=0 stop=0
  local bugs=()
  [[ -n "${HVFUZZ_BUGS:-}" ]] && IFS=, read -r -a bugs <<<"$HVFUZZ_BUGS"
  while [[ $# -gt 0 ]]; do
    case "$1" in
      --target) target="${2:?--target needs a name}"; shift 2 ;;
      --bug) bugs+=("${2:?--bug needs a name}"); shift 2 ;;
      --time) time="${2:?--time needs seconds}"; shift 2 ;;
      --engine) engine="${2:?--engine needs libfuzzer or afl}"; shift 2 ;;
      --jobs) jobs="${2:?--jobs needs a number}"; shift 2 ;;
      --tsan) tsan=1; shift ;;
      --asan) asan=1; shift ;;
      --from-scratch) scratch=1; shift ;;
      --stop-on-finding) stop=1; shift ;;
      -h|--help) fuzz_usage; return 0 ;;
      *) fuzz_usage >&2; die "fuzz: unknown option '$1'" ;;
    esac
  done
  case "$target" in memslots|mmu|gpc|xen|global|vm) ;; *) die "fuzz: unknown target '$target'" ;; esac
  case "$engine" in libfuzzer|afl) ;; *) die "fuzz: unknown engine '$engine'" ;; esac
  [[ "$time" =~ ^[0-9]+$ && "$time" -gt 0 ]] || die "fuzz: --time needs a positive number of seconds"
  [[ "$jobs" =~ ^[0-9]+$ && "$jobs" -gt 0 ]] || die "fuzz: --jobs needs a positive number"
  local bug_list
  bug_list=$(IFS=,; echo "${bugs[*]:-}")
  fuzz_check_bugs "$bug_list"

  # The plain builds by default: the session's detectors (validator, invariants, watchdog) need
  # no sanitizer, and ASan+UBSan cost 3.5x (libFuzzer) to 5x (AFL++) of the executions
  # (docs/fuzzing.md). Crash files are replayed by the dev build, which has ASan+UBSan.
  local preset=fuzz-plain
  [[ $engine == afl ]] && preset=afl-plain
  if [[ $asan == 1 ]]; then preset=fuzz; [[ $engine == afl ]] && preset=afl; fi
  [[ $tsan == 1 && $asan == 1 ]] && die "fuzz: --tsan and --asan exclude each other (one sanitizer runtime per build)"
  [[ $tsan == 1 ]] && preset=fuzz-tsan
  [[ $tsan == 1 && $engine == afl ]] && die "fuzz: --tsan runs with libFuzzer only (AFL_USE_TSAN reports AFL's own map writes, docs/toolchain.md §4)"
  note "building ${target}_fuzzer ($preset)"
  configure_build "$preset" "${target}_fuzzer" fuzz_assets >"$B/$preset.build.log" 2>&1 ||
    { tail -30 "$B/$preset.build.log" >&2; die "fuzz: build failed ($B/$preset.build.log)"; }
  configure_build dev "${target}_fuzzer_replay" hvfuzz_prog_tool >"$B/dev.build.log" 2>&1 ||
    { tail -30 "$B/dev.build.log" >&2; die "fuzz: build of the replayer failed ($B/dev.build.log)"; }
  if [[ $engine == afl && "${HVFUZZ_MUTATOR:-1}" != 0 ]]; then
    # The structure-aware mutator, loaded by afl-fuzz itself: an uninstrumented release build.
    configure_build release hvfuzz_afl_mutator >"$B/release.build.log" 2>&1 ||
      { tail -30 "$B/release.build.log" >&2; die "fuzz: build of the AFL++ mutator failed ($B/release.build.log)"; }
    export AFL_CUSTOM_MUTATOR_LIBRARY="$ROOT/$B/release/targets/libhvfuzz_afl_mutator.so"
    [[ "$B" == /* ]] && AFL_CUSTOM_MUTATOR_LIBRARY="$B/release/targets/libhvfuzz_afl_mutator.so"
    export HVFUZZ_SLICE="$target"
    # The mutator alone, 16 mutants per queue entry (afl_mutator.cc): with AFL++'s havoc stage
    # after it, kvm-lock-slots-lock and gpc-deactivate-race took 2-7x longer (docs/fuzzing.md,
    # 2026-12-04). HVFUZZ_AFL_HAVOC=1 keeps havoc; AFL++ reads AFL_CUSTOM_MUTATOR_ONLY as set
    # whatever its value, so it is exported only when wanted.
    if [[ "${HVFUZZ_AFL_HAVOC:-0}" == 0 ]]; then
      export AFL_CUSTOM_MUTATOR_ONLY=1
    fi
  fi

  local bin="$B/$preset/targets/${target}_fuzzer"
  local findings="findings/$target"
  local session
  session="$B/sessions/$target-$(date +%Y%m%d-%H%M%S)-$$"
  mkdir -p "$findings" "$session/artifacts"
  local corpus="$B/corpus/$target"
  [[ $scratch == 1 ]] && corpus="$session/corpus"
  mkdir -p "$corpus"
  local seeds="$session/seeds"
  mkdir -p "$seeds"
  if [[ $scratch == 0 ]]; then
    fuzz_make_seeds "$target" "$seeds"
  fi

  export HVFUZZ_BUGS="$bug_list" HVFUZZ_STATUS=1
  export ASAN_OPTIONS="${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1:symbolize=1}"
  export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}"
  export TSAN_OPTIONS="${TSAN_OPTIONS:-halt_on_error=1:detect_deadlocks=0:report_destroy_locked=0:suppressions=$ROOT/targets/tsan.supp}"
  [[ $tsan == 1 ]] && export HVFUZZ_BACKEND=free
  # Going on past findings: each signature crashes once per session (see options.def).
  if [[ $stop == 0 ]]; then export HVFUZZ_KNOWN_FILE="$ROOT/$session/known-signatures"; else unset HVFUZZ_KNOWN_FILE; fi

  note "fuzzing $target for ${time}s with $engine${bug_list:+ (bugs: $bug_list)}"
  local start end rc=0
  start=$(date +%s)
  if [[ $engine == libfuzzer ]]; then
    fuzz_run_libfuzzer "$bin" "$session" "$corpus" "$seeds" "$time" "$jobs" "$stop" || rc=$?
  else
    fuzz_run_afl "$bin" "$session" "$corpus" "$seeds" "$time" "$jobs" "$stop" || rc=$?
  fi
  end=$(date +%s)
  echo >&2
  # Time to bug is when the first crash file was written, not when the session had wound down:
  # stopping AFL++ and keeping its queue as corpus takes seconds to minutes after the crash.
  local first
  first=$(fuzz_first_file_time "$session/artifacts")
  if [[ -n "$first" ]]; then end="$first"; fi
  fuzz_collect "$target" "$session" "$findings" "$((end - start))" "$stop"
}

# Bug names are checked before anything runs: a typo must not silently fuzz the clean model.
fuzz_check_bugs() {
  local list="$1"
  [[ -z "$list" ]] && return 0
  configure_build dev hvfuzz_model_tool >/dev/null 2>&1 || die "fuzz: cannot build hvfuzz_model_tool"
  local known
  known=$("$B"/dev/model/hvfuzz_model_tool bugs --names)
  local b
  IFS=, read -r -a arr <<<"$list"
  for b in "${arr[@]}"; do
    grep -qx -- "$b" <<<"$known" || die "unknown bug switch '$b' (./hvfuzz bugs lists them)"
  done
}

# Text seeds of the target (and the regression programs) -> binary inputs the engines mutate.
fuzz_make_seeds() {
  local target="$1" out="$2" f n=0
  local dirs=("corpus/$target")
  # The whole VM runs every operation, so every slice's seeds are its seeds.
  [[ $target == vm ]] && dirs=(corpus/memslots corpus/mmu corpus/gpc corpus/xen corpus/global corpus/vm)
  dirs+=(corpus/regressions)
  local d
  for d in "${dirs[@]}"; do
  for f in "$d"/*.hvp; do
    [[ -f "$f" ]] || continue
    "$B"/dev/fuzz/prog/hvfuzz_prog_tool encode "$f" >"$out/$(basename "$f" .hvp).bin" ||
      die "fuzz: bad seed $f"
    n=$((n + 1))
  done
  done
  # Promoted crash files of this target (./hvfuzz promote), as the engine found them.
  for f in corpus/regressions/"$target"/*; do
    [[ -f "$f" ]] || continue
    cp "$f" "$out/regression-$(basename "$f")"
    n=$((n + 1))
  done
  note "$n seed programs"
}

# Live progress: one line, rewritten in place, from libFuzzer's and our status lines. Plain
# POSIX awk (Debian's default is mawk): the time comes from date(1), once per status line.
fuzz_progress_filter() {
  local logfile="$1" start="$2"
  awk -v start="$start" -v logfile="$logfile" '
    { print > logfile; fflush(logfile) }
    /^#[0-9]+/ {
      for (i = 1; i <= NF; i++) {
        if ($i == "cov:") cov = $(i + 1); if ($i == "ft:") ft = $(i + 1)
        if ($i == "corp:") corp = $(i + 1); if ($i == "exec/s:") eps = $(i + 1)
      }
    }
    /SUMMARY: hvfuzz:/ { findings++ }
    # Fork mode (sessions that go on past a finding): "#N: cov: .. oom/timeout/crash: a/b/c".
    /^#[0-9]+: cov:/ {
      for (i = 1; i <= NF; i++) if ($i == "oom/timeout/crash:") { split($(i + 1), c, "/"); findings = c[3] }
    }
    /hvfuzz-status:|SUMMARY: hvfuzz:|^#[0-9]+: cov:/ {
      for (i = 1; i <= NF; i++) if ($i ~ /^lock-order-edges=/) { split($i, a, "="); edges = a[2] }
      "date +%s" | getline now; close("date +%s")
      line = sprintf("[%4ds] exec/s %-7s cov %-6s ft %-6s corpus %-10s", now - start, eps, cov, ft, corp)
      if (edges != "") line = line sprintf(" lock-order edges %-5s", edges)
      printf "\r%s findings %d   ", line, findings + 0 > "/dev/stderr"
    }'
}

fuzz_run_libfuzzer() {
  local bin="$1" session="$2" corpus="$3" seeds="$4" time="$5" jobs="$6" stop="$7"
  local args=(-artifact_prefix="$session/artifacts/" -print_final_stats=1
              -max_len=4096 -timeout=25 -rss_limit_mb=4096)
  [[ -f "$bin.dict" ]] && args+=(-dict="$bin.dict")  # generated by the build (fuzz_assets)
  local start now left
  start=$(date +%s)
  if [[ $jobs -gt 1 ]]; then
    # libFuzzer's fork mode: N jobs, going on past crashes unless told to stop.
    args+=(-fork="$jobs")
    [[ $stop == 0 ]] && args+=(-ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1)
    "$bin" "${args[@]}" -max_total_time="$time" "$corpus" "$seeds" 2>&1 |
      fuzz_progress_filter "$session/fuzz.log" "$start"
    return "${PIPESTATUS[0]}"
  fi
  # One in-process fuzzer keeps its status lines (lock-order edges, each SUMMARY) on our
  # stderr; to go on past a finding it is restarted on the same corpus until time is up.
  while :; do
    now=$(date +%s)
    left=$((time - (now - start)))
    [[ $left -gt 0 ]] || break
    "$bin" "${args[@]}" -max_total_time="$left" "$corpus" "$seeds" 2>&1
    [[ $stop == 1 ]] && break
    ls "$session"/artifacts/* >/dev/null 2>&1 || break  # ended without a finding: time is up
  done | fuzz_progress_filter "$session/fuzz.log" "$start"
  return 0
}

fuzz_run_afl() {
  local bin="$1" session="$2" corpus="$3" seeds="$4" time="$5" jobs="$6" stop="$7"
  local in="$session/afl-in"
  mkdir -p "$in"
  cp "$seeds"/* "$corpus"/* "$in"/ 2>/dev/null || true
  # AFL++ needs one input to start from: a single zero byte decodes to the smallest program.
  [[ -n "$(ls -A "$in")" ]] || printf '\0' >"$in/empty"
  # afl-fuzz insists on symbolize=0 and abort_on_error=1; the replayer symbolizes later.
  export ASAN_OPTIONS="abort_on_error=1:symbolize=0:detect_leaks=0"
  export UBSAN_OPTIONS="halt_on_error=1:abort_on_error=1:symbolize=0"
  export AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_UI=1
  export AFL_NO_AFFINITY=1
  [[ $stop == 1 ]] && export AFL_BENCH_UNTIL_CRASH=1
  local out="$session/afl-out" pids=() j
  mkdir -p "$out"
  local dict=()  # the build's generated dictionary (targets/assets/fuzz_assets.h)
  [[ -f "$bin.dict" ]] && dict=(-x "$bin.dict")
  afl-fuzz -i "$in" -o "$out" "${dict[@]}" -M main -V "$time" -- "$bin" >"$session/afl-main.log" 2>&1 &
  pids+=($!)
  for ((j = 1; j < jobs; j++)); do
    afl-fuzz -i "$in" -o "$out" "${dict[@]}" -S "s$j" -V "$time" -- "$bin" >"$session/afl-s$j.log" 2>&1 &
    pids+=($!)
  done
  local start now plot
  start=$(date +%s)
  while kill -0 "${pids[0]}" 2>/dev/null; do
    sleep 1
    # The main instance's plot_data (a line every 5 s; fuzzer_stats is rewritten only every
    # 60 s), columns found by the header's names.
    plot="$out/main/plot_data"
    [[ -f "$plot" ]] || plot=/dev/null  # not written yet: the same as no data line
    now=$(date +%s)
    awk -v t=$((now - start)) -F', *' '
      NR == 1 { sub(/^# */, ""); for (i = 1; i <= NF; i++) col[$i] = i; next }
      { last = $0 }
      END {
        if (last == "") {
          printf "\r[%4ds] afl-fuzz running, no statistics yet (plot_data)   ", t > "/dev/stderr"
          exit
        }
        split(last, v, /, */)
        printf "\r[%4ds] exec/s %-8.0f edges %-6s corpus %-6s cycles %-5s crashes %s   ", t,
               v[col["execs_per_sec"]], v[col["edges_found"]], v[col["corpus_count"]],
               v[col["cycles_done"]], v[col["saved_crashes"]] > "/dev/stderr"
      }' "$plot"
    if [[ $stop == 1 ]] && ls "$out"/*/crashes/id:* >/dev/null 2>&1; then break; fi
  done
  kill "${pids[@]}" 2>/dev/null || true
  wait 2>/dev/null || true
  local c
  for c in "$out"/*/crashes/id:*; do
    [[ -f "$c" ]] || continue
    cp -p "$c" "$session/artifacts/crash-$(sha1sum "$c" | cut -c1-40)"  # -p: keep when found
  done
  # Keep AFL++'s queue as corpus for the next session (content-addressed names: no clobbering).
  # (One sha1sum for the whole queue, and a copy only for what the corpus lacks: a queue has
  # thousands of entries.)
  local h
  sha1sum "$out"/*/queue/id:* 2>/dev/null | while read -r h c; do
    [[ -e "$corpus/$h" ]] || cp -n "$c" "$corpus/$h" 2>/dev/null || true
  done
  return 0
}

# Prints the modification time (epoch seconds) of the oldest file in DIR, or nothing when DIR
# holds none. Never fails: ./hvfuzz runs under `set -e -o pipefail`, where a stat of an empty
# glob once ended every session without a finding silently with exit 1.
fuzz_first_file_time() {
  local f t first=""
  for f in "$1"/*; do
    [[ -f "$f" ]] || continue
    t=$(stat -c %Y "$f")
    if [[ -z "$first" || $t -lt $first ]]; then first=$t; fi
  done
  echo "$first"
}

# Moves the session's crash files into findings/<target>/ (never overwriting), writes a report
# beside each, and prints the unique findings.
fuzz_collect() {
  local target="$1" session="$2" findings="$3" seconds="$4" stop="$5"
  local f name report summaries=() crashes=()
  for f in "$session"/artifacts/*; do
    [[ -f "$f" ]] || continue
    name=$(basename "$f")
    if [[ ! -e "$findings/$name" ]]; then
      mv -n "$f" "$findings/$name"
    fi
    # The session record: what triage needs to replay the crash (triage/crash_file.h).
    if [[ ! -e "$findings/$name.session" ]]; then
      printf 'target=%s\nengine=%s\nbackend=%s\nbugs=%s\n' "$target" "${engine:-libfuzzer}" \
        "${HVFUZZ_BACKEND:-controlled}" "${HVFUZZ_BUGS:-}" >"$findings/$name.session.tmp"
      mv -n "$findings/$name.session.tmp" "$findings/$name.session"
      rm -f "$findings/$name.session.tmp"
    fi
    report="$findings/$name.txt"
    if [[ ! -e "$report" ]]; then
      "$B"/dev/targets/"${target}_fuzzer_replay" "$findings/$name" >"$report.tmp" 2>&1 || true
      mv -n "$report.tmp" "$report"
      rm -f "$report.tmp"
    fi
    summaries+=("$(grep -m1 '^SUMMARY: ' "$report" || echo "SUMMARY: (no hvfuzz report: see $report)")")
    crashes+=("$findings/$name")
  done
  if [[ ${#summaries[@]} -eq 0 ]]; then
    local log="$session/fuzz.log"
    [[ -f "$log" ]] || log="$session/afl-main.log"  # AFL++ sessions log per instance
    echo "no findings (log: $log)"
    return 0
  fi
  echo "unique findings ($findings):"
  printf '%s\n' "${summaries[@]}" | sort | uniq -c | sed 's/^/  /'
  # Which files this session added, for ./hvfuzz replay and ./hvfuzz triage.
  local c
  for c in "${crashes[@]}"; do echo "crash file: $c  (report: $c.txt)"; done
  if [[ $stop == 1 ]]; then
    local first="${summaries[0]}"
    echo "$first"
    local kind title
    title="${first#SUMMARY: hvfuzz: }"
    kind="${title%% *}"
    echo "found $kind $title after $seconds s"
  fi
}
