#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# e2e: a replayer on a program: with BUGS it must exit 1 with "SUMMARY: hvfuzz: KIND in ...",
# the same report twice (byte for byte); without switches it must exit 0 with no report, and
# with HVFUZZ_RUN_STATS=1 print only its one hvfuzz-run-stats line.
# usage: replay_check.sh REPLAYER PROGRAM BUGS KIND
set -u
replayer="$1" program="$2" bugs="$3" kind="$4"
out1=$(HVFUZZ_BUGS="$bugs" "$replayer" "$program" 2>&1); rc=$?
[[ $rc == 1 ]] || { echo "expected exit 1 with $bugs, got $rc"; echo "$out1"; exit 1; }
grep -q "^SUMMARY: hvfuzz: $kind in " <<<"$out1" || { echo "no '$kind' SUMMARY line"; echo "$out1"; exit 1; }
[[ "$(tail -n1 <<<"$out1")" == SUMMARY:* ]] || { echo "SUMMARY is not the last line"; exit 1; }
out2=$(HVFUZZ_BUGS="$bugs" "$replayer" "$program" 2>&1)
[[ "$out1" == "$out2" ]] || { echo "two replays differ"; diff <(echo "$out1") <(echo "$out2"); exit 1; }
clean=$("$replayer" "$program" 2>&1); rc=$?
[[ $rc == 0 && -z "$clean" ]] || { echo "expected a clean run without switches, got $rc"; echo "$clean"; exit 1; }
stats=$(HVFUZZ_RUN_STATS=1 "$replayer" "$program" 2>&1); rc=$?
[[ $rc == 0 && "$stats" =~ ^hvfuzz-run-stats:\ threads=[1-9][0-9]*\ ops=[0-9]+\ decisions=[0-9]+\ steps=[1-9][0-9]*$ ]] ||
  { echo "expected one hvfuzz-run-stats line, got $rc"; echo "$stats"; exit 1; }
echo "ok: $kind with $bugs, clean without; $stats"
