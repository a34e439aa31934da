#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# e2e: triage and promote on the checked-in crash inputs of tests/e2e/triage/: an AFL++ output
# folder (crashes/id:* with README.txt, a queue that is not crashes), a libFuzzer artifact, a
# findings/<target>/ crash with its session record, and a clean program. Expected: 4 crash
# files, 2 buckets (the AFL++ and libFuzzer crashes are one bug, the switch inferred), 1 not
# reproducible, every bucket's files, inputs untouched, no second run into the same folder,
# promote writes once and then reports the signature as promoted.
# usage: triage_check.sh TRIAGE_TOOL INPUTS
set -u
tool="$1" inputs="$2"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

cp -r "$inputs" "$work/in"
before=$(cd "$work/in" && find . -type f -print0 | sort -z | xargs -0 sha1sum)
out=$("$tool" triage --out "$work/run1" --identity-runs 10 "$work/in" 2>&1); rc=$?
echo "$out"
[[ $rc == 0 ]] || fail "triage exited $rc"
grep -qx "4 crash files: 2 buckets, 1 not reproducible, 0 bad input; index: $work/run1/index.html" <<<"$out" ||
  fail "unexpected summary"
after=$(cd "$work/in" && find . -type f -print0 | sort -z | xargs -0 sha1sum)
[[ "$before" == "$after" ]] || fail "triage changed its inputs"

cycle=$(ls -d "$work"/run1/lock-order-cycle-*/ | head -n1)
leak=$(ls -d "$work"/run1/lock-held-at-return-*/ | head -n1)
[[ -d "$cycle" && -d "$leak" ]] || fail "missing bucket folders"
for f in report.txt report.json program.hvp original.hvp original-report.txt lock-graph.dot \
         interleaving.svg bucket.txt; do
  [[ -s "$cycle/$f" && -s "$leak/$f" ]] || fail "bucket file $f missing"
done
grep -q "engine=afl" "$cycle/bucket.txt" && grep -q "engine=libfuzzer" "$cycle/bucket.txt" ||
  fail "AFL++ and libFuzzer crashes of one bug are not one bucket"
grep -q "bugs=xen-evtchn-kvm-lock" "$cycle/bucket.txt" || fail "switch not inferred"
grep -q "identical_replays=10/10" "$cycle/bucket.txt" || fail "replays differ"
[[ "$(tail -n1 "$cycle/report.txt")" == "SUMMARY: hvfuzz: lock-order-cycle in "* ]] || fail "report's last line"
grep -q "clean.hvp" "$work/run1/index.html" && grep -q "not reproducible" "$work/run1/index.html" ||
  fail "the clean program is not listed as not reproducible"
grep -q "README.txt\|queue" "$work/run1/index.html" && fail "README.txt or the queue was triaged"

"$tool" triage --out "$work/run1" "$work/in" >/dev/null 2>&1 && fail "a second run into run1 succeeded"

mkdir -p "$work/tests" "$work/corpus"
p=$("$tool" promote "$leak" --tests "$work/tests" --corpus "$work/corpus"); rc=$?
echo "$p"
[[ $rc == 0 && -f "$work/tests/slots-arch-lock-leak.hvp" ]] || fail "promote did not write the regression"
ls "$work"/corpus/memslots/crash-* >/dev/null 2>&1 || fail "promote did not copy the crash file"
grep -q "^#@ expect-kind: lock-held-at-return$" "$work/tests/slots-arch-lock-leak.hvp" || fail "expectation"
p=$("$tool" promote "$leak" --tests "$work/tests" --corpus "$work/corpus"); rc=$?
[[ $rc == 0 ]] && grep -q "already promoted" <<<"$p" || fail "second promote: $p"
echo "ok: 2 buckets, 1 not reproducible, promoted once"
