#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Each promoted regression, replayed N times in fresh processes by the standalone replayer
# (what `./hvfuzz replay` runs) with its switches on: exit status 1 every time and the same
# report, byte for byte (sha1 of stdout+stderr). Prints "<file> N/N identical" per file.
# usage: replay_identical.sh REPLAYER N [FILE.hvp...]   (default: tests/regressions/*.hvp)
set -u
replayer="$1" n="$2"; shift 2
dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
files=("$@")
[[ ${#files[@]} -gt 0 ]] || files=("$dir"/*.hvp)
status=0
for f in "${files[@]}"; do
  [[ -f "$f" ]] || continue
  bugs=$(sed -n 's/^#@ bugs: *//p' "$f" | head -n1)
  first="" same=0
  for ((i = 0; i < n; i++)); do
    h=$(HVFUZZ_BUGS="$bugs" "$replayer" "$f" 2>&1; echo "exit=$?")
    h=$(sha1sum <<<"$h" | cut -c1-40)
    [[ -z "$first" ]] && first="$h"
    [[ "$h" == "$first" ]] && same=$((same + 1))
  done
  last=$(HVFUZZ_BUGS="$bugs" "$replayer" "$f" 2>&1; echo "exit=$?")
  [[ "$(tail -n1 <<<"$last")" == "exit=1" ]] || { echo "$f: expected exit 1 with bugs=$bugs"; status=1; }
  echo "$(basename "$f") $same/$n identical"
  [[ $same == "$n" ]] || status=1
done
exit $status
