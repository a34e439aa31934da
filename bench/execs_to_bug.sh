#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# execs_to_bug.sh BUG SEED CAP [TARGET]: one libFuzzer trial from an empty corpus; prints
#   "<bug> mutator=<m> feedback=<f> seed=<s> found|other|censored execs=<n> secs=<t> [<SUMMARY>]"
# "other": a crash that is not BUG (bench/time_to_bug.py right_bug: its kind and, for a
# lock-order cycle, the switch's lock classes).
# Executions to the first crash do not depend on machine load, so this is how guidance knobs are
# compared on a shared machine (docs/fuzzing.md). HVFUZZ_MUTATOR / HVFUZZ_FEEDBACK pass through.
# Needs <target>_fuzzer and fuzz_assets of the preset ${HVFUZZ_PRESET:-fuzz-plain} (the one
# ./hvfuzz fuzz builds; `fuzz` for the ASan+UBSan tree), in ${HVFUZZ_BUILD_DIR:-build}/<preset>.
# Scratch goes to a fresh mktemp directory, removed after.
set -euo pipefail
bug=$1 seed=$2 cap=$3 target=${4:-vm}
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dir="$root/${HVFUZZ_BUILD_DIR:-build}/${HVFUZZ_PRESET:-fuzz-plain}/targets"
[[ -x "$dir/${target}_fuzzer" ]] || { echo "execs_to_bug: build $dir/${target}_fuzzer first" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/corpus" "$work/art"
start=$(date +%s.%N)
HVFUZZ_BUGS=$bug ASAN_OPTIONS=abort_on_error=1:detect_leaks=0:symbolize=0 \
  "$dir/${target}_fuzzer" -seed="$seed" -max_total_time="$cap" -artifact_prefix="$work/art/" \
  -max_len=4096 -timeout=25 -print_final_stats=1 -dict="$dir/${target}_fuzzer.dict" \
  "$work/corpus" >"$work/log" 2>&1 || true
end=$(date +%s.%N)
execs=$(awk '/stat::number_of_executed_units/ {print $2; exit}' "$work/log")
verdict=censored
if ls "$work"/art/crash-* >/dev/null 2>&1; then
  verdict=found
  # A trial stopped by another bug is not this one.
  python3 "$root/bench/time_to_bug.py" judge "$bug" "$work/log" || verdict=other
fi
summary=$(grep -m1 '^SUMMARY: ' "$work/log" || true)
printf '%s mutator=%s feedback=%s seed=%s %s execs=%s secs=%.1f %s\n' "$bug" "${HVFUZZ_MUTATOR:-1}" \
  "${HVFUZZ_FEEDBACK:-default}" "$seed" "$verdict" "${execs:-?}" "$(echo "$end - $start" | bc)" "$summary"
