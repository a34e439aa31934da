#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# e2e: how a ./hvfuzz fuzz session ends, with targets/fuzz_session.sh sourced as ./hvfuzz
# sources it (under set -euo pipefail) and a stub replayer: a session without a finding says
# "no findings" and succeeds (it once ended silently with exit 1); a session with findings
# moves each crash file into findings/ without overwriting what is there, writes the report and
# the session record beside it, and with --stop-on-finding prints the "found ..." line; the
# time to bug is the oldest crash file's.
# usage: session_end_check.sh   (no arguments; needs only bash and coreutils)
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=targets/fuzz_session.sh
source "$ROOT/targets/fuzz_session.sh"

B="$work/build"
mkdir -p "$B/dev/targets"
cat >"$B/dev/targets/vm_fuzzer_replay" <<'STUB'
#!/usr/bin/env bash
echo "==== hvfuzz: lock-order-cycle ===="
echo "SUMMARY: hvfuzz: lock-order-cycle in kvm_xen_set_evtchn"
exit 1
STUB
chmod +x "$B/dev/targets/vm_fuzzer_replay"

# 1. No finding.
session="$work/s1"
mkdir -p "$session/artifacts" "$work/findings"
[[ -z "$(fuzz_first_file_time "$session/artifacts")" ]] || fail "an empty folder has a first file"
out=$(fuzz_collect vm "$session" "$work/findings" 60 1) || fail "a clean session failed"
[[ "$out" == "no findings (log: $session/afl-main.log)" ]] || fail "clean session printed: $out"

# 2. Two findings, one already in findings/ with other content (must stay as it was).
session="$work/s2"
mkdir -p "$session/artifacts"
printf 'a' >"$session/artifacts/crash-aaaa"
printf 'b' >"$session/artifacts/crash-bbbb"
touch -d @1700000100 "$session/artifacts/crash-aaaa"
touch -d @1700000050 "$session/artifacts/crash-bbbb"
[[ "$(fuzz_first_file_time "$session/artifacts")" == 1700000050 ]] || fail "oldest crash time"
printf 'kept' >"$work/findings/crash-bbbb"
out=$(fuzz_collect vm "$session" "$work/findings" 42 1) || fail "a session with findings failed"
[[ "$(cat "$work/findings/crash-bbbb")" == kept ]] || fail "an existing crash file was overwritten"
[[ "$(cat "$work/findings/crash-aaaa")" == a ]] || fail "the new crash file was not moved in"
for f in crash-aaaa crash-bbbb; do
  grep -q "^SUMMARY: hvfuzz: lock-order-cycle in kvm_xen_set_evtchn$" "$work/findings/$f.txt" ||
    fail "no report beside $f"
  grep -q "^target=vm$" "$work/findings/$f.session" || fail "no session record beside $f"
done
grep -q "^  *2 SUMMARY: hvfuzz: lock-order-cycle in kvm_xen_set_evtchn$" <<<"$out" ||
  fail "unique findings not counted: $out"
[[ "$(tail -n1 <<<"$out")" == "found lock-order-cycle lock-order-cycle in kvm_xen_set_evtchn after 42 s" ]] ||
  fail "no found line: $out"
echo "PASS"
