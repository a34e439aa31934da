#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# oss-fuzz/switch_check.sh: in the ASan/UBSan libFuzzer build that oss-fuzz/build.sh makes (the
# build OSS-Fuzz runs most), is each bug switch found by hvfuzz's deterministic detectors alone,
# i.e. without TSan? For each switch it fuzzes one $OUT fuzzer from an empty corpus with
# HVFUZZ_BUGS=<switch>, with the fuzzer's .options (dict, max_len) as OSS-Fuzz would, until the
# first crash or the time cap, then checks the crash: it must carry an hvfuzz report (SUMMARY:
# hvfuzz: ...), reproduce with the switch and run clean without it (so the switch caused it).
# Prints a table: switch, fuzzer, found/not found, seconds, the SUMMARY line. Exit 0 when every
# switch was found, 1 otherwise, 2 usage.
#
# usage: oss-fuzz/switch_check.sh [--out DIR] [--fuzzer NAME] [--time S] [--seed N]
#                                 [--bug NAME]...
#   --out     the $OUT of a libfuzzer/address build (default: the one oss-fuzz/check_local.sh
#             made, $HVFUZZ_BUILD_DIR/oss-fuzz-check/libfuzzer-address/out; made if missing)
#   --fuzzer  default vm_fuzzer (the whole VM: every operation, so every switch is reachable)
#   --time    cap per switch in seconds (default 300)
#   --seed    libFuzzer -seed (default 1: runs are repeatable up to timing)
#   --bug     switches to check (default: all, from hvfuzz_model_tool bugs --names)
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
B="${HVFUZZ_BUILD_DIR:-build}"
[[ "$B" = /* ]] || B="$ROOT/$B"
out="" fuzzer=vm_fuzzer cap=300 seed=1 bugs=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --out) out="${2:?}"; shift 2 ;;
    --fuzzer) fuzzer="${2:?}"; shift 2 ;;
    --time) cap="${2:?}"; shift 2 ;;
    --seed) seed="${2:?}"; shift 2 ;;
    --bug) bugs+=("${2:?}"); shift 2 ;;
    -h|--help) sed -n '2,/^set -uo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "switch_check.sh: unknown option '$1' (--help)" >&2; exit 2 ;;
  esac
done
[[ "$cap" =~ ^[0-9]+$ && "$cap" -gt 0 ]] || { echo "switch_check.sh: --time needs seconds" >&2; exit 2; }

if [[ -z "$out" ]]; then
  out="$B/oss-fuzz-check/libfuzzer-address/out"
  if [[ ! -x "$out/$fuzzer" ]]; then
    echo "switch_check.sh: no $out/$fuzzer; building it with oss-fuzz/check_local.sh --fast" >&2
    HVFUZZ_BUILD_DIR="$B" "$ROOT/oss-fuzz/check_local.sh" --fast >/dev/null ||
      { echo "switch_check.sh: the build check failed (run oss-fuzz/check_local.sh --fast)" >&2; exit 2; }
  fi
fi
bin="$out/$fuzzer"
[[ -x "$bin" ]] || { echo "switch_check.sh: $bin is not there" >&2; exit 2; }
objdump -dC "$bin" | grep -qE 'callq?\s+[0-9a-f]+\s+<__tsan' &&
  { echo "switch_check.sh: $bin is a TSan build; this check is about builds without TSan" >&2; exit 2; }

if [[ ${#bugs[@]} -eq 0 ]]; then
  tool="$B/dev/model/hvfuzz_model_tool"
  if [[ ! -x "$tool" ]]; then
    cmake --preset dev -B "$B/dev" >/dev/null 2>&1 && cmake --build "$B/dev" --target hvfuzz_model_tool >/dev/null 2>&1 ||
      { echo "switch_check.sh: cannot build hvfuzz_model_tool in $B/dev" >&2; exit 2; }
  fi
  mapfile -t bugs < <("$tool" bugs --names)
fi

# The .options' [libfuzzer] flags, the dictionary path made absolute (as run_fuzzer does).
opts=()
if [[ -f "$out/$fuzzer.options" ]]; then
  while IFS= read -r line; do
    [[ "$line" =~ ^[[:space:]]*([a-z_]+)[[:space:]]*=[[:space:]]*(.*)$ ]] || continue
    k="${BASH_REMATCH[1]}" v="${BASH_REMATCH[2]}"
    [[ $k == dict ]] && v="$out/$v"
    opts+=("-$k=$v")
  done < <(sed -n '/^\[libfuzzer\]/,/^\[/p' "$out/$fuzzer.options")
fi

work="$B/oss-fuzz-check/switch-check-$(date +%Y%m%d-%H%M%S)"
mkdir -p "$work"
# The options OSS-Fuzz's runner sets (use-after-return detection included: the ASan cost this
# check measures is the one ClusterFuzz pays).
. "$ROOT/oss-fuzz/runner_options.sh"
export ASAN_OPTIONS="$RUN_ASAN_OPTIONS" UBSAN_OPTIONS="$RUN_UBSAN_OPTIONS"
rows=() found=0
for bug in "${bugs[@]}"; do
  d="$work/$bug"
  mkdir -p "$d/corpus" "$d/artifacts"
  echo "== $bug: $fuzzer from an empty corpus, cap ${cap}s" >&2
  start=$(date +%s.%N)
  HVFUZZ_BUGS="$bug" "$bin" -seed="$seed" -max_total_time="$cap" -timeout=25 -rss_limit_mb=2560 \
    -artifact_prefix="$d/artifacts/" -print_final_stats=1 "${opts[@]}" "$d/corpus" >"$d/fuzz.log" 2>&1
  end=$(date +%s.%N)
  secs=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }')
  crash=$(ls "$d"/artifacts/crash-* 2>/dev/null | head -n1)
  result="not found" summary="-"
  if [[ -n "$crash" ]]; then
    summary=$(grep -m1 '^SUMMARY: hvfuzz:' "$d/fuzz.log" || echo "(no hvfuzz report: see $d/fuzz.log)")
    with_rc=0 without_rc=0
    HVFUZZ_BUGS="$bug" "$bin" -runs=1 "$crash" >"$d/repro.log" 2>&1 || with_rc=$?
    HVFUZZ_BUGS= "$bin" -runs=1 "$crash" >"$d/clean.log" 2>&1 || without_rc=$?
    if [[ "$summary" == SUMMARY:\ hvfuzz:* && $with_rc != 0 && $without_rc == 0 ]] &&
       grep -q '^SUMMARY: hvfuzz:' "$d/repro.log"; then
      result="found"
      found=$((found + 1))
    else
      result="crash, not the switch's"
      summary="$summary (replay with switch: exit $with_rc, without: exit $without_rc)"
    fi
  else
    secs=">$cap"
  fi
  rows+=("$(printf '%-26s %-12s %-24s %8s  %s' "$bug" "$fuzzer" "$result" "$secs" "${summary#SUMMARY: hvfuzz: }")")
  echo "   $result after $secs s" >&2
done

echo
echo "Bug switches in the OSS-Fuzz ASan/UBSan libFuzzer build ($bin), empty corpus, -seed=$seed, no TSan:"
printf '%-26s %-12s %-24s %8s  %s\n' SWITCH FUZZER RESULT SECONDS "FINDING (SUMMARY)"
printf '%s\n' "${rows[@]}"
echo "$found of ${#bugs[@]} found (logs: $work)"
[[ $found == "${#bugs[@]}" ]]
