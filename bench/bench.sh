# SPDX-License-Identifier: Apache-2.0
# Sourced by ./hvfuzz: `./hvfuzz bench [--quick] ...` (bench_usage below). Two parts:
#   1. microbenchmarks (release preset, Google Benchmark): scheduling point vs fiber switch,
#      validator per acquire, decode + RunOne per execution and per operation, peak RSS over
#      100k / 1M executions; JSON in $B/bench-micro/;
#   2. time to bug (bench/time_to_bug.py): the seven bug switches x modes (a) libFuzzer,
#      (b) AFL++, (c) no validator, (d) the naive harness, several seeded trials each with a
#      cap; writes bench/results/<date>[-quick].{md,json,svg} and prints the table.
# --quick: microbenchmarks with a short min_time and RSS over 100k executions only; time to
# bug with 1 trial per (bug, mode), a 20 s cap, 2 trials at a time: under 10 minutes once the
# trees are built (the first run builds four trees, which takes longer on 2 cores).

bench_usage() {
  cat <<'EOF'
usage: ./hvfuzz bench [options]
  --quick            a run under 10 minutes (once built): short microbenchmarks, 1 trial per
                     bug and mode, 20 s cap, 2 trials at a time
  --micro-only       only the microbenchmarks
  --ttb-only         only the time-to-bug bench
  --trials N         trials per bug and mode (default 5; quick 1)
  --cap SECONDS      per-trial cap; a trial that reaches it is censored (default 300; quick 20)
  --jobs N           trials run at a time (default 1; quick 2)
  --modes M          subset of abcd (default abcd)
  --bugs LIST        comma-separated bug switches (default: all seven)
Results: bench/results/<date>.md, .json, .svg (<date>-quick.* for --quick; -2, -3... for later
runs of the day: nothing is overwritten); trial logs and
crash files under $HVFUZZ_BUILD_DIR/bench-ttb/.
EOF
}

bench_main() {
  local quick=0 micro=1 ttb=1 modes=abcd ttb_args=()
  while [[ $# -gt 0 ]]; do
    case "$1" in
      --quick) quick=1; shift ;;
      --micro-only) ttb=0; shift ;;
      --ttb-only) micro=0; shift ;;
      --trials|--cap|--jobs|--bugs)
        [[ $# -ge 2 ]] || die "bench: $1 needs a value"
        ttb_args+=("$1" "$2"); shift 2 ;;
      --modes) modes="${2:?--modes needs a subset of abcd}"; shift 2 ;;
      -h|--help) bench_usage; return 0 ;;
      *) bench_usage >&2; die "bench: unknown option '$1'" ;;
    esac
  done
  [[ "$modes" =~ ^[abcd]+$ ]] || die "bench: --modes takes letters of abcd"
  command -v python3 >/dev/null || die "bench: python3 is needed for the time-to-bug bench"
  local t0 tb
  t0=$(date +%s)
  ensure_packages "${PKGS_BUILD[@]}" "${PKGS_FUZZ[@]}"
  note "building (release benches; fuzz-plain, afl-plain and tsan trees for the time-to-bug modes)"
  if [[ $micro == 1 ]]; then
    configure_build release sched_bench validator_bench exec_bench rss_bench \
      >"$B/release.build.log" 2>&1 || { tail -30 "$B/release.build.log" >&2; die "bench: release build failed"; }
  fi
  if [[ $ttb == 1 ]]; then
    if [[ "$modes" =~ [acb] ]]; then
      configure_build fuzz-plain vm_fuzzer vm_fuzzer_replay fuzz_assets >"$B/fuzz-plain.build.log" 2>&1 ||
        { tail -30 "$B/fuzz-plain.build.log" >&2; die "bench: fuzz build failed ($B/fuzz-plain.build.log)"; }
    fi
    if [[ "$modes" =~ b ]]; then
      configure_build afl-plain vm_fuzzer fuzz_assets >"$B/afl-plain.build.log" 2>&1 ||
        { tail -30 "$B/afl-plain.build.log" >&2; die "bench: afl build failed ($B/afl-plain.build.log)"; }
      configure_build release hvfuzz_afl_mutator >"$B/release.build.log" 2>&1 ||
        { tail -30 "$B/release.build.log" >&2; die "bench: build of the AFL++ mutator failed ($B/release.build.log)"; }
    fi
    if [[ "$modes" =~ d ]]; then
      configure_build tsan naive_stress >"$B/tsan.build.log" 2>&1 ||
        { tail -30 "$B/tsan.build.log" >&2; die "bench: tsan build failed ($B/tsan.build.log)"; }
    fi
  fi
  tb=$(date +%s)
  note "built in $((tb - t0)) s"

  local micro_json=""
  if [[ $micro == 1 ]]; then
    local out="$B/bench-micro" b args files=()
    mkdir -p "$out"
    for b in sched_bench validator_bench exec_bench rss_bench; do
      args=(--benchmark_out="$out/$b.json" --benchmark_out_format=json)
      if [[ $quick == 1 ]]; then
        args+=(--benchmark_min_time=0.05)
        [[ $b == rss_bench ]] && args+=(--benchmark_filter='RssFlat/100000/')
      fi
      note "running $b"
      "$B/release/bench/$b" "${args[@]}" || die "bench: $b failed"
      files+=("$out/$b.json")
    done
    micro_json="$out/figures.json"
    python3 "$ROOT/bench/time_to_bug.py" micro "$micro_json" "${files[@]}"
  fi
  if [[ $ttb == 1 ]]; then
    local run_args=(run --build-dir "$B" --out-dir "$ROOT/bench/results" --modes "$modes")
    [[ $quick == 1 ]] && run_args+=(--quick)
    [[ -n "$micro_json" ]] && run_args+=(--micro-json "$micro_json")
    python3 "$ROOT/bench/time_to_bug.py" "${run_args[@]}" "${ttb_args[@]}" ||
      die "bench: time-to-bug bench failed"
  elif [[ -n "$micro_json" ]]; then
    cat "$micro_json"
  fi
  local t1
  t1=$(date +%s)
  note "bench took $((t1 - tb)) s after $((tb - t0)) s of building"
}
